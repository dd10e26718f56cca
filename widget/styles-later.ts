import { css } from 'lit';

/**
 * The CSS only later steps use (password fields, sign-in buttons, the server form, the test
 * results, the summary, the success state). It travels in the later steps' chunk and the element
 * adopts it beside `wizardStyles` when that chunk arrives, so the first load stays small. Tokens
 * (`--_primary`, `--_border`…) come from `wizardStyles`' `:host`.
 */
export const laterStyles = css`
  h3 { font-size: 1rem; margin: 0 0 0.5rem; display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
  .password { display: flex; gap: 0.4rem; }
  .password input { flex: 1; }
  button.reveal { padding: 0.4rem 0.7rem; font-weight: 500; }
  button.reveal[aria-pressed='true'] { background: var(--_bg); }
  button.brand {
    display: flex; width: 100%; gap: 0.75rem; align-items: center; justify-content: center;
    font-family: Roboto, 'Segoe UI', system-ui, sans-serif; font-weight: 500; font-size: 0.95rem;
  }
  button.brand.google { background: var(--_brand-google-bg); border: 1px solid var(--_brand-google-border); color: var(--_brand-google-text); border-radius: 4px; }
  button.brand.microsoft { background: var(--_brand-ms-bg); border: 1px solid var(--_brand-ms-border); color: var(--_brand-ms-text); border-radius: 0; font-family: 'Segoe UI', system-ui, sans-serif; font-weight: 600; }
  button.destructive { background: var(--_danger); border-color: var(--_danger); color: var(--_on-primary); }
  .success { display: flex; gap: 0.6rem; align-items: baseline; border: 1px solid var(--_success); border-left-width: 4px; border-radius: calc(var(--_radius) * 0.6); padding: 0.7rem 0.9rem; background: color-mix(in srgb, var(--_success) 8%, var(--_bg)); }
  .success .ok { font-weight: 700; }
  .check { display: flex; gap: 0.55rem; align-items: flex-start; font-weight: normal; }
  .check input { margin-top: 0.25rem; width: 1.05rem; height: 1.05rem; flex: none; }
  button.danger { color: var(--_danger); }
  button.provider { display: flex; width: 100%; gap: 0.6rem; align-items: center; justify-content: center; }
  .stack { display: grid; gap: 0.6rem; }
  .divider { display: flex; align-items: center; gap: 0.75rem; color: var(--_muted); font-size: 0.85rem; }
  .divider::before, .divider::after { content: ''; flex: 1; border-top: 1px solid var(--_border); }
  .warning { background: var(--_warning-bg); color: var(--_warning); border-radius: calc(var(--_radius) * 0.6); padding: 0.6rem 0.8rem; font-size: 0.9rem; }
  .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 15rem), 1fr)); gap: 0.9rem; align-items: start; }
  fieldset { border: 1px solid var(--_border); border-radius: var(--_radius); padding: 0.75rem 0.9rem 0.9rem; margin: 0; min-width: 0; display: grid; gap: 0.7rem; align-content: start; }
  legend { font-weight: 700; padding: 0 0.3rem; }
  .row { display: grid; grid-template-columns: minmax(4.5rem, 2fr) 3fr; gap: 0.6rem; align-items: start; }
  dl.summary { display: grid; grid-template-columns: minmax(7rem, max-content) 1fr; gap: 0.35rem 1rem; margin-bottom: 1rem; }
  dl.summary dt { color: var(--_muted); }
  dl.summary dd { margin: 0; overflow-wrap: anywhere; }
  @container (max-width: 30rem) {
    dl.summary { grid-template-columns: 1fr; gap: 0; }
    dl.summary dd { margin-bottom: 0.5rem; }
    /* On a narrow screen a long step (a failed test, the server form) keeps its main actions in reach. */
    .step > .actions, .step form > .actions {
      position: sticky;
      bottom: 0;
      z-index: 1;
      background: var(--_bg);
      padding-block: 0.6rem;
      box-shadow: 0 -1px 0 var(--_border);
    }
  }
`;
