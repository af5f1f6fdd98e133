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
}
