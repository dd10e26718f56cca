import { Webhook } from 'standardwebhooks';

/**
 * Signs webhook requests the Standard Webhooks way (https://www.standardwebhooks.com/):
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed with the
 * base64-decoded part of the `whsec_` secret. The secret is decoded once, here.
 *
 * @example
 * const sign = webhookSigner('whsec_…');
 * const headers = sign('msg_2f…', new Date(), body); // webhook-id, webhook-timestamp, webhook-signature
 */
export function webhookSigner(secret: string): (id: string, at: Date, body: string) => Record<string, string> {
  const webhook = new Webhook(secret);
  return (id, at, body) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook.sign(id, at, body),
  });
}
