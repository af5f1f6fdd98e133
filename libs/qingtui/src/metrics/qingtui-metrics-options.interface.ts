/**
 * The part of a prom-client `Registry` the library uses (structural, so that the library's type
 * declarations need no prom-client: it is an optional peer).
 */
export interface QingtuiMetricsRegistry {
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

/** The `metrics` option: Prometheus metrics of the token lifecycle, with `prom-client`. */
export interface QingtuiMetricsOptions {
  /**
   * The registry to add the `qingtui_*` metrics to: the application's own (`new Registry()`), or
   * prom-client's global `register` (what most Nest Prometheus modules serve).
   * @default prom-client's global `register`
   */
  registry?: QingtuiMetricsRegistry;
  /**
   * Up to this many configured apps, every series has its `app` label. Beyond, the series of all
   * apps are summed up per platform, labelled `app="*"` (gauges: the least time left and
   * lifetime, `qingtui_token_valid` 1 only while every app holds one, calls summed, the largest
   * quota share), so that a scrape of 10,000 apps stays a few kilobytes and a few milliseconds.
   * Between 1 and 100,000.
   * @default 200
   */
  perAppLimit?: number;
}
