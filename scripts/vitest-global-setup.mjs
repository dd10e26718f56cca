// Before any suite starts: build the widget once (dist/widget/), as `npm start` would. Several
// suites serve the real files; building here keeps that one-off minute out of their start-up
// timeouts, which run side by side on a loaded machine.
import { ensureWidgetBuilt } from './widget-build.mjs';

export default async function setup() {
  await ensureWidgetBuilt({ log: (line) => console.log(line) });
}
