import { css } from 'lit';

/** The dark theme's tokens, for `theme="dark"` and for `theme="auto"` on a dark system. */
const darkPalette = css`
  --_bg: var(--ecw-color-background, #161b22);
  --_surface: var(--ecw-color-surface, #21262d);
  --_text: var(--ecw-color-text, #e6edf3);
  --_muted: var(--ecw-color-muted, #9da7b3);
  --_border: var(--ecw-color-border, #3d444d);
  --_control-border: var(--ecw-color-control-border, #768390);
  --_brand-google-bg: #131314;
  --_brand-google-border: #8e918f;
  --_brand-google-text: #e3e3e3;
  --_brand-ms-bg: #2f2f2f;
  --_brand-ms-border: #2f2f2f;
  --_brand-ms-text: #ffffff;
  --_primary: var(--ecw-color-primary, #5b8def);
  --_on-primary: var(--ecw-color-on-primary, #0d1117);
  --_danger: var(--ecw-color-danger, #ff7b72);
  --_success: var(--ecw-color-success, #56d364);
  --_warning-bg: var(--ecw-color-warning-background, #3b2e00);
  --_warning: var(--ecw-color-warning, #f2cc60);
  color-scheme: dark;
`;

/**
 * The wizard's CSS. Every colour, radius and font is a `--ecw-*` custom property with a light
 * default; `theme="dark"` (or `auto` with a dark system preference) swaps the defaults.
 */
export const wizardStyles = css`
  :host {
    --_bg: var(--ecw-color-background, #ffffff);
    --_surface: var(--ecw-color-surface, #f6f7f9);
    --_text: var(--ecw-color-text, #1b1f24);
    --_muted: var(--ecw-color-muted, #57606a);
    --_border: var(--ecw-color-border, #d0d7de);
    /* Inputs and the focus ring are UI components: ≥ 3:1 against the background (WCAG 2.2 1.4.11). */
    --_control-border: var(--ecw-color-control-border, #818b98);
    --_brand-google-bg: #ffffff;
    --_brand-google-border: #747775;
    --_brand-google-text: #1f1f1f;
    --_brand-ms-bg: #ffffff;
    --_brand-ms-border: #8c8c8c;
    --_brand-ms-text: #5e5e5e;
    --_primary: var(--ecw-color-primary, #2457c5);
    --_on-primary: var(--ecw-color-on-primary, #ffffff);
    --_danger: var(--ecw-color-danger, #b42318);
    --_success: var(--ecw-color-success, #1a7f37);
    --_warning-bg: var(--ecw-color-warning-background, #fff4d6);
    --_warning: var(--ecw-color-warning, #7a4d00);
    --_radius: var(--ecw-radius, 10px);
    --_focus-color: var(--ecw-focus-ring-color, var(--_primary));
    display: block;
    max-width: var(--ecw-max-width, 40rem);
    min-width: 0;
    color: var(--_text);
    overflow-wrap: anywhere;
    font-family: var(--ecw-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--ecw-font-size, 1rem);
    line-height: 1.45;
    color-scheme: light;
    /* Layout follows the widget's own width, not the page's: it may sit in a narrow column. */
    container-type: inline-size;
  }
  :host([theme='dark']) {
    ${darkPalette}
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) {
      ${darkPalette}
    }
  }
  * { box-sizing: border-box; }
  [hidden] { display: none !important; }
  .panel {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: clamp(1rem, 4vw, 1.75rem);
    box-shadow: var(--ecw-shadow, 0 1px 3px rgb(0 0 0 / 0.08));
  }
  ol.steps {
    display: flex;
    gap: 0.25rem;
    list-style: none;
    margin: 0 0 1.25rem;
    padding: 0;
  }
  ol.steps li {
    flex: 1 1 0;
    min-width: 0;
    font-size: 0.75rem;
    color: var(--_muted);
    border-top: 3px solid var(--_border);
    padding-top: 0.35rem;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  ol.steps li.complete { border-color: var(--_primary); }
  ol.steps li[aria-current='step'] { border-color: var(--_primary); color: var(--_text); font-weight: 600; }
  h2 {
    font-size: 1.3rem;
    line-height: 1.25;
    margin: 0 0 0.4rem;
    outline: none;
  }
  /* Vertical rhythm between a step's blocks; the lead sits close under its heading. */
  .step { display: flow-root; }
  .step > * { margin-block: 0; }
  .step > * + * { margin-top: 1rem; }
  .step > h2 + .lead { margin-top: 0.3rem; }
  .step > .lead + * { margin-top: 1.1rem; }
  p { margin: 0 0 0.75rem; }
  .lead { color: var(--_muted); overflow-wrap: anywhere; }
  form { display: grid; gap: 0.9rem; }
  .field { display: grid; gap: 0.3rem; min-width: 0; align-content: start; }
  label, .label { font-weight: 600; font-size: 0.9rem; }
  .hint { color: var(--_muted); font-size: 0.85rem; margin: 0; }
  input[type='text'], input[type='email'], input[type='password'], input[type='number'], select {
    width: 100%;
    min-width: 0;
    font: inherit;
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_control-border);
    border-radius: calc(var(--_radius) * 0.6);
    padding: 0.55rem 0.7rem;
    min-height: 2.6rem;
  }
  input:focus-visible, select:focus-visible, button:focus-visible, summary:focus-visible, a:focus-visible, input[type='checkbox']:focus {
    outline: 2px solid var(--_focus-color);
    outline-offset: 2px;
    box-shadow: var(--ecw-focus-ring, none);
  }
  a { color: var(--_primary); }
  [aria-invalid='true'] { border-color: var(--_danger) !important; border-width: 2px !important; }
  .field-error { color: var(--_danger); font-size: 0.85rem; margin: 0; }
  .actions { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; }
  .actions:not(:has(button)) { display: none; }
  .actions .spacer { flex: 1; }
  button {
    font: inherit;
    font-weight: 600;
    border-radius: calc(var(--_radius) * 0.6);
    padding: 0.55rem 1.1rem;
    min-height: 2.6rem;
    cursor: pointer;
    border: 1px solid var(--_border);
    background: var(--_surface);
    color: var(--_text);
  }
  button.primary { background: var(--_primary); border-color: var(--_primary); color: var(--_on-primary); }
  button.link {
    background: none;
    border: none;
    padding: 0.25rem 0;
    min-height: 0;
    color: var(--_primary);
    text-decoration: underline;
    font-weight: 500;
  }
  button:disabled { opacity: 0.6; cursor: progress; }
  .card > :first-child { margin-top: 0; }
  .card > :last-child { margin-bottom: 0; }
  .card { background: var(--_surface); border: 1px solid var(--_border); border-radius: var(--_radius); padding: 0.8rem 1rem; }
  .provider-found { display: grid; gap: 0.15rem; }
  .badge {
    display: inline-block;
    font-size: 0.75rem;
    font-weight: 600;
    padding: 0.1rem 0.5rem;
    border-radius: 999px;
    border: 1px solid currentColor;
  }
  .ok { color: var(--_success); }
  .bad { color: var(--_danger); }
  .pending { color: var(--_muted); }
  .alert {
    border: 1px solid var(--_danger);
    border-left-width: 4px;
    border-radius: calc(var(--_radius) * 0.6);
    padding: 0.7rem 0.9rem;
    background: color-mix(in srgb, var(--_danger) 7%, var(--_bg));
  }
  .alert strong { color: var(--_danger); }
  .alert ol, .alert ul { margin: 0.4rem 0 0; padding-left: 1.2rem; }
  ul.progress { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.3rem; font-size: 0.9rem; }
  ul.progress li { display: flex; gap: 0.5rem; align-items: baseline; }
  ul.progress .ms { color: var(--_muted); margin-left: auto; font-variant-numeric: tabular-nums; white-space: nowrap; }
  .stage-now { display: none; font-size: 0.8rem; color: var(--_muted); margin: -0.9rem 0 1rem; }
  @container (max-width: 30rem) {
    ol.steps li { font-size: 0; }
    .stage-now { display: block; }
    .actions button:not(.link) { flex: 1 1 auto; }
  }
  .spinner {
    display: inline-block;
    width: 0.9em;
    height: 0.9em;
    border: 2px solid currentColor;
    border-right-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
    vertical-align: -0.1em;
  }
  @keyframes spin { to { transform: rotate(360deg); } }
  @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  details summary { cursor: pointer; color: var(--_muted); font-size: 0.85rem; }
`;
