/** Who holds a piece of work and until when; a lease that runs out lets another worker take the work. */
export interface Lease {
  owner: string;
  now: Date;
  durationMs: number;
}
