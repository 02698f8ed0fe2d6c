/**
 * A line writer for `stream` that goes quiet once the reader has gone, as in
 * `sagedrop merge ... | head -1`: the command finishes its work and exits with
 * its own code instead of crashing on EPIPE.
 */
export function quietOnClosedPipe(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  // Without a listener, a write to a closed pipe is an uncaught 'error' event.
  stream.on('error', () => {
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(`${text}\n`);
  };
}
