// A writable stream that keeps what a CLI writes, for tests that run `main` in-process. Not a terminal (isTTY false),
// so CLIs print their plain, line-per-step output.
export class Sink {
  text = "";
  isTTY = false;
  write(chunk: string | Uint8Array): boolean {
    this.text += String(chunk);
    return true;
  }
}
