/** Absolute path of dist/widget/. */
export const WIDGET_DIR: string;
/** True when dist/widget/ is missing or older than a widget source. */
export function widgetBuildIsStale(): boolean;
/** Builds dist/widget/ when stale (once across processes); resolves `true` when this call built. */
export function ensureWidgetBuilt(options?: { log?: (line: string) => void }): Promise<boolean>;
