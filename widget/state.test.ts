import { expect } from '@open-wc/testing';
import { accountMismatch, authPayload, completionDetail, initialState, keepsSavedPassword, oauthOffer, restore, settingsInput, snapshot, stageFor, stageOf, testRequest, transition, type WizardState } from './state.js';
import { detection, failedPortTest, passedTest, savedSettings } from './testing/fixtures.js';

const run = (state: WizardState, ...events: Parameters<typeof transition>[1][]) => events.reduce(transition, state);

describe('state machine (no DOM)', () => {
  it('starts loading and goes to the address step, or to the overview when something is saved', () => {
    expect(transition(initialState(), { type: 'loaded', settings: null }).step).to.equal('address');
    const opened = transition(initialState(), { type: 'loaded', settings: savedSettings() });
    expect(opened.step).to.equal('overview');
    expect(opened.existing?.email).to.equal('support@company.com');
  });

  it('walks the password path: address → auth → test → final → done', () => {
    let state = run(initialState(), { type: 'loaded', settings: null }, { type: 'detected', detection: detection() });
    expect(state.step).to.equal('auth');
    expect(state.imap?.host).to.equal('imap.gmail.com');
    state = transition(state, { type: 'choose-password', password: 'pw' });
    expect(state.step).to.equal('test');
    expect(testRequest(state)).to.deep.equal({ imap: state.imap, smtp: state.smtp, auth: { method: 'password', password: 'pw' } });
    state = transition(state, { type: 'test-finished', result: passedTest });
    expect(state.step).to.equal('final');
    state = transition(state, { type: 'saved', fromName: 'Support', checkIntervalSeconds: 900, deleteAfterProcessing: false });
    expect(state.step).to.equal('done');
    expect(stageOf(state.step)).to.equal('done');
    expect(JSON.stringify(completionDetail(state))).not.to.contain('pw');
  });

  it('goes to the manual form when detection found no servers', () => {
    const state = run(initialState(), { type: 'loaded', settings: null }, { type: 'detected', detection: detection({ imap: null, smtp: null, provider: null }) }, { type: 'choose-password', password: 'x' });
    expect(state.step).to.equal('manual');
  });

  it('stays on the address step for an unsupported provider', () => {
    const unsupported = detection({ provider: { id: 'fwd', name: 'Forwarder', oauth: null, supported: false }, imap: null, smtp: null });
    expect(run(initialState(), { type: 'loaded', settings: null }, { type: 'detected', detection: unsupported }).step).to.equal('address');
  });

  it('keeps a failed test on the test step and names the field at fault; fixing opens the manual form', () => {
    let state = run(initialState(), { type: 'loaded', settings: null }, { type: 'detected', detection: detection() }, { type: 'choose-password', password: 'pw' });
    state = transition(state, { type: 'test-finished', result: failedPortTest });
    expect(state.step).to.equal('test');
    expect(state.faultField).to.equal('imap.port');
    expect(transition(state, { type: 'fix-settings' }).step).to.equal('manual');
  });

  it('qualifies a bare field name with the protocol that failed', () => {
    const result = { ok: false, smtp: { ok: false, phases: [], error: { code: 'AUTH_FAILED' as const, message: 'No.', field: 'username', steps: [] } } };
    const state = run(initialState(), { type: 'loaded', settings: null }, { type: 'detected', detection: detection() }, { type: 'choose-password', password: 'pw' }, { type: 'test-finished', result });
    expect(state.faultField).to.equal('smtp.username');
  });

  it('ignores events that do not belong to the current step', () => {
    const state = transition(initialState(), { type: 'loaded', settings: null });
    expect(transition(state, { type: 'test-finished', result: passedTest })).to.equal(state);
    expect(transition(state, { type: 'oauth-connected' })).to.equal(state);
  });

  it('runs the OAuth path and offers OAuth only when detection and the server agree', () => {
    expect(oauthOffer(detection(), { google: { configured: true } })).to.equal('google');
    expect(oauthOffer(detection(), { google: { configured: false } })).to.equal(null);
    expect(oauthOffer(detection({ provider: null }), { google: { configured: true } })).to.equal(null);
    let state = run(initialState(), { type: 'loaded', settings: null }, { type: 'detected', detection: detection() }, { type: 'choose-oauth', provider: 'google' }, { type: 'oauth-started', flowId: 'f1' });
    expect(state.step).to.equal('oauth');
    expect(state.oauthFlowId).to.equal('f1');
    state = transition(state, { type: 'oauth-connected', email: 'support@company.com' });
    expect(state.step).to.equal('test');
    expect(authPayload(state)).to.deep.equal({ method: 'oauth', provider: 'google' });
  });

  it('edits a saved configuration without asking for the saved password again', () => {
    const state = run(initialState(), { type: 'loaded', settings: savedSettings() }, { type: 'edit' });
    expect(state.step).to.equal('manual');
    expect(state.mode).to.equal('edit');
    expect(testRequest(state).auth).to.equal(undefined);
    const input = settingsInput(state, { fromName: ' Help ', checkIntervalSeconds: 60, deleteAfterProcessing: true });
    expect(input.auth).to.deep.equal({ method: 'password' });
    expect(input.fromName).to.equal('Help');
  });

  it('re-tests a saved configuration and returns to the overview', () => {
    let state = run(initialState(), { type: 'loaded', settings: savedSettings() }, { type: 'retest' });
    expect(state.step).to.equal('test');
    state = transition(state, { type: 'test-finished', result: passedTest });
    expect(state.step).to.equal('test');
    expect(transition(state, { type: 'back' }).step).to.equal('overview');
  });

  it('reconnects an OAuth account through the OAuth step', () => {
    const saved = savedSettings({ status: 'needs_reauth', auth: { method: 'oauth', provider: 'microsoft', account: 'support@company.com', connected: true, needsReauthorization: true } });
    const state = run(initialState(), { type: 'loaded', settings: saved }, { type: 'reconnect' });
    expect(state.step).to.equal('oauth');
    expect(state.auth).to.deep.equal({ method: 'oauth', provider: 'microsoft' });
  });

  it('sends a save the server refused for a server setting back to the manual form, field marked', () => {
    const final = run(initialState(), { type: 'loaded', settings: null }, { type: 'detected', detection: detection() }, { type: 'choose-password', password: 'pw' }, { type: 'test-finished', result: passedTest });
    const refused = transition(final, { type: 'save-refused', field: 'imap.security' });
    expect(refused.step).to.equal('manual');
    expect(refused.faultField).to.equal('imap.security');
    expect(transition(final, { type: 'save-refused', field: 'fromName' })).to.equal(final);
  });

  it('never puts a secret into the snapshot, and resumes where the password is asked again', () => {
    const state = run(initialState(), { type: 'loaded', settings: null }, { type: 'detected', detection: detection() }, { type: 'choose-password', password: 'hunter2' });
    const kept = snapshot(state);
    expect(JSON.stringify(kept)).not.to.contain('hunter2');
    const resumed = restore(JSON.parse(JSON.stringify(kept)));
    expect(resumed?.step).to.equal('auth');
    expect(resumed?.passwordLost).to.equal(true);
    expect(restore({ step: 'done' })).to.equal(null);
    expect(restore('garbage')).to.equal(null);
    expect(snapshot(initialState())).to.equal(null);
  });
});

describe('state machine: recovery rules (issue 15)', () => {
  const detected = (overrides = {}) => run(initialState(), { type: 'loaded', settings: null }, { type: 'detected', detection: detection(overrides) });
  const failing = (imapField?: string, smtpField?: string): Parameters<typeof transition>[1] => ({
    type: 'test-finished',
    result: {
      ok: false,
      imap: { ok: false, phases: [], ...(imapField ? { error: { code: 'AUTH_FAILED', message: 'x', field: imapField, steps: [] } } : {}) },
      smtp: { ok: !smtpField, phases: [], ...(smtpField ? { error: { code: 'TLS_FAILED', message: 'x', field: smtpField, steps: [] } } : {}) },
    } as never,
  });

  it('a new address starts clean: no servers, user names or password of the previous one', () => {
    let state = transition(detected(), { type: 'choose-password', password: 'gmail-pw' });
    state = run(state, { type: 'back' }, { type: 'back' });
    state = { ...state, step: 'address' };
    state = transition(state, { type: 'detected', detection: detection({ email: 'help@other.example', domain: 'other.example', provider: null, imap: null, smtp: null }) });
    expect([state.imap, state.smtp, state.password]).to.deep.equal([null, null, '']);
    const manual = transition({ ...detected(), step: 'address' }, { type: 'choose-manual', email: 'help@other.example' });
    expect(manual.imap).to.deep.include({ host: '', username: 'help@other.example' });
    expect(manual.detection).to.equal(null);
  });

  it('marks every blamed field, empties a refused password, and sends a password-only fault back to the password', () => {
    let state = transition(detected(), { type: 'choose-password', password: 'wrong' });
    state = transition(state, failing('auth.password', 'smtp.security'));
    expect(state.faultFields).to.deep.equal(['auth.password', 'smtp.security']);
    expect(state.password).to.equal('');
    expect(transition(state, { type: 'fix-settings' }).step).to.equal('manual');
    const onlyPassword = transition(transition(detected(), { type: 'choose-password', password: 'wrong' }), failing('auth.password'));
    expect(transition(onlyPassword, { type: 'fix-settings' }).step).to.equal('auth');
    expect(transition(onlyPassword, { type: 'field-edited', field: 'auth.password' }).faultFields).to.deep.equal([]);
  });

  it('keeps a saved password only for the servers it was saved for', () => {
    const editing = run(transition(initialState(), { type: 'loaded', settings: savedSettings() }), { type: 'edit' });
    expect(keepsSavedPassword(editing)).to.equal(true);
    const moved = transition(editing, { type: 'draft', imap: { ...editing.imap!, host: 'imap.elsewhere.example' } });
    expect(keepsSavedPassword(moved)).to.equal(false);
    expect(keepsSavedPassword(transition(editing, { type: 'draft', imap: { ...editing.imap!, host: 'IMAP.company.com.' } }))).to.equal(true);
    const reconnect = transition(transition(initialState(), { type: 'loaded', settings: savedSettings() }), { type: 'reconnect' });
    expect([reconnect.step, reconnect.faultFields, keepsSavedPassword(reconnect)]).to.deep.equal(['manual', [], false]);
  });

  it('names another signed-in account, and opens a Microsoft mailbox as shared with that account', () => {
    const microsoft = detected({ provider: { id: 'microsoft-365', name: 'Microsoft 365', oauth: 'microsoft', supported: true } });
    let state = run(microsoft, { type: 'choose-oauth', provider: 'microsoft' }, { type: 'oauth-started', flowId: 'f' }, { type: 'oauth-connected', email: 'agent@company.com' });
    expect([state.step, accountMismatch(state)]).to.deep.equal(['oauth', 'agent@company.com']);
    state = transition(state, { type: 'use-shared-mailbox' });
    expect(state.step).to.equal('test');
    expect(testRequest(state).auth).to.deep.equal({ method: 'oauth', provider: 'microsoft', account: 'agent@company.com' });
    expect(testRequest(state).imap?.username).to.equal('support@company.com');
    const google = run(detected(), { type: 'choose-oauth', provider: 'google' }, { type: 'oauth-started', flowId: 'g' }, { type: 'oauth-connected', email: 'me@gmail.com' });
    expect(transition(google, { type: 'use-shared-mailbox' })).to.equal(google);
    expect(transition(google, { type: 'use-signed-in-account' }).imap?.username).to.equal('me@gmail.com');
  });

  it('a reload on the final step stays there and asks for the password; the sender name typed is kept', () => {
    let state = run(detected(), { type: 'choose-password', password: 'pw' }, { type: 'test-finished', result: passedTest }, { type: 'draft', fromName: 'Acme Support' });
    state = restore(JSON.parse(JSON.stringify(snapshot(state))))!;
    expect([state.step, state.passwordLost, state.fromName, state.password]).to.deep.equal(['final', true, 'Acme Support', '']);
  });

  it('shows the step bar only while setting up', () => {
    expect(stageFor(detected())).to.equal('signin');
    expect(stageFor(run(transition(initialState(), { type: 'loaded', settings: savedSettings() }), { type: 'edit' }))).to.equal(null);
  });
});
