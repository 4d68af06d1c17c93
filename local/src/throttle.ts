/*
 * API Gateway's route throttling: one token bucket per route, burstLimit tokens deep, refilled at
 * rateLimit tokens per second. A request takes a token or gets 429 Too Many Requests. Routes
 * without a setting of their own use the stage default; with neither, nothing is throttled (AWS
 * would still apply the account's 10,000 rps / 5,000 burst, which one laptop never reaches).
 */

export interface Throttling {
  burstLimit: number;
  rateLimit: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly settings: Throttling,
    now: number,
  ) {
    this.tokens = settings.burstLimit;
    this.last = now;
  }

  /** Takes a token if there is one; `now` in milliseconds, monotonic. */
  tryTake(now: number): boolean {
    const elapsedSeconds = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.settings.burstLimit, this.tokens + elapsedSeconds * this.settings.rateLimit);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class RouteThrottle {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly defaults: Throttling | undefined,
    private readonly perRoute: Readonly<Record<string, Throttling | undefined>>,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Whether a request on routeKey may go ahead. */
  admit(routeKey: string): boolean {
    const settings = this.perRoute[routeKey] ?? this.defaults;
    if (!settings) return true;
    const now = this.clock();
    let bucket = this.buckets.get(routeKey);
    if (!bucket) {
      bucket = new TokenBucket(settings, now);
      this.buckets.set(routeKey, bucket);
    }
    return bucket.tryTake(now);
  }
}
