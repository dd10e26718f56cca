import { expect, fixture, html } from '@open-wc/testing';
import './index.js';
import type { EmailConfigWizard } from './email-config-wizard.js';

describe('<email-config-wizard>', () => {
  it('renders a heading inside its shadow root', async () => {
    const el = await fixture<EmailConfigWizard>(html`<email-config-wizard api-base="/api"></email-config-wizard>`);
    expect(el.shadowRoot?.querySelector('h2')?.textContent).to.contain('mailbox');
    expect(el.apiBase).to.equal('/api');
  });
});
