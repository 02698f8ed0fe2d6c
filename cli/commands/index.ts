import type { Command } from '../command';

/** Every `sagedrop` subcommand, in the order `--help` lists them. */
export const commands: Command[] = [];
