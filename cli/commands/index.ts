import type { Command } from '../command';
import { demoCommand } from './demo';
import { localCommand } from './local';
import { mergeCommand } from './merge';
import { predictCommand } from './predict';
import { redriveCommand } from './redrive';
import { serveCommand } from './serve';
import { statusCommand } from './status';
import { uploadCommand } from './upload';

/** Every `sagedrop` subcommand, in the order `--help` lists them. */
export const commands: Command[] = [
  demoCommand,
  localCommand,
  predictCommand,
  serveCommand,
  uploadCommand,
  statusCommand,
  redriveCommand,
  mergeCommand,
];
