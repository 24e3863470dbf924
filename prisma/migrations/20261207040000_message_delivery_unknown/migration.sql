-- A message whose send may have reached the SMTP server but whose answer was never recorded: it is
-- not handed over again (docs/decisions/0058-emails-at-most-once-per-message-id.md).
ALTER TYPE "MessageStatus" ADD VALUE 'delivery_unknown' AFTER 'sending';
