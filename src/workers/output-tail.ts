// Keeps only the last few KiB of a check's output, so a check that floods
// (`yes`) costs a fixed amount of memory however long it runs.

export class OutputTail {
  private chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk.length > this.limit ? chunk.subarray(chunk.length - this.limit) : chunk);
    this.kept += Math.min(chunk.length, this.limit);
    while (this.kept - this.chunks[0]!.length >= this.limit) this.kept -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return tailText(all.subarray(Math.max(0, all.length - this.limit)), this.total);
  }
}

/** The kept bytes as text, saying how much was dropped when the output was longer. */
export function tailText(kept: Buffer, total: number): string {
  const tail = kept.toString('utf8');
  return total > kept.length ? `[captured the last ${kept.length} of ${total} bytes]\n${tail}` : tail;
}
