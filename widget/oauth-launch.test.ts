import { expect } from '@open-wc/testing';
import { isLaunchUrl, postToWindow } from './oauth-launch.js';

describe('opening a sign-in (oauth-launch)', () => {
  it('recognises the server launch page, not the provider URL', () => {
    expect(isLaunchUrl('https://wizard.example/api/email-settings/oauth/google/launch?state=abc')).to.equal(true);
    expect(isLaunchUrl('https://wizard.example/api/email-settings/oauth/microsoft/launch?state=abc')).to.equal(true);
    expect(isLaunchUrl('https://accounts.google.com/o/oauth2/v2/auth?state=abc')).to.equal(false);
    expect(isLaunchUrl('https://wizard.example/oauth/google/launch/more')).to.equal(false);
  });

  it('posts the launch as a top-level form (so the browser sends its Origin) into the named window, and leaves no form behind', () => {
    const submitted: Array<{ method: string; action: string; target: string; fields: Record<string, string>; inDocument: boolean }> = [];
    const original = HTMLFormElement.prototype.submit;
    HTMLFormElement.prototype.submit = function (this: HTMLFormElement) {
      submitted.push({
        method: this.method,
        action: this.action,
        target: this.target,
        fields: Object.fromEntries(new FormData(this) as unknown as Iterable<[string, string]>),
        inDocument: document.contains(this),
      });
    };
    try {
      postToWindow('https://wizard.example/api/email-settings/oauth/google/launch?state=flow.secret-value', 'ecw-oauth');
      postToWindow('https://wizard.example/api/email-settings/oauth/microsoft/launch?state=s2', '_self');
    } finally {
      HTMLFormElement.prototype.submit = original;
    }
    expect(submitted).to.deep.equal([
      { method: 'post', action: 'https://wizard.example/api/email-settings/oauth/google/launch', target: 'ecw-oauth', fields: { state: 'flow.secret-value' }, inDocument: true },
      { method: 'post', action: 'https://wizard.example/api/email-settings/oauth/microsoft/launch', target: '_self', fields: { state: 's2' }, inDocument: true },
    ]);
    expect(document.querySelectorAll('form').length).to.equal(0);
  });
});
