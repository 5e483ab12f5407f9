package storage

// Collection describes what one collection holds, for the operator's
// record of processing: what it is, which personal data it holds and how
// long it is kept.
type Collection struct {
	Name, Holds, Personal, Kept string
}

// Inventory lists every collection Samspil writes. A test fails when the
// store writes one that is not listed here.
var Inventory = []Collection{
	{"responses", "citizens' and partners' answers, language, time answered, the link's partnership, activity and round",
		"pseudonymous answers; free text may name people; a partner's answers name the organisation",
		"free text: 12 months by default (per partnership); the rest until a citizen deletes it with a follow-up code or the partnership is erased"},
	{"export_pages", "the same answers again, de-identified (day, not time; no submission id), a hundred to a document, for exports",
		"as responses", "as responses: kept in step by the same writes"},
	{"totals", "running sums of answers per form, partnership, round and activity", "none (counts)", "as long as the partnership"},
	{"daily_totals", "the same sums per day", "none (counts)", "as long as the partnership"},
	{"monthly_totals", "the same sums per month", "none (counts)", "as long as the partnership"},
	{"deltas", "batches of answers on their way into the totals and export pages: their counts and de-identified rows", "as export_pages",
		"under a second; deleted once folded in"},
	{"releases", "figures of whole months, each over at least the minimum group", "none (anonymous aggregates)", "as long as the partnership"},
	{"uncounted", "the journal of responses being counted or erased: ids and times", "none", "seconds; cleared when counted"},
	{"follow_ups", "follow-up codes as keyed hashes (HMAC), each with the ids of the responses it links", "pseudonymous link between one person's answers",
		"until the citizen deletes it on /forget, or the partnership is erased"},
	{"text_notes", "by day, the ids of responses that may hold free text, for the retention job", "none (ids)", "until the text is deleted"},
	{"partnerships", "name, area, description, contact, data controller, retention", "the contact person's name and e-mail or telephone",
		"contact: 3 months after the partnership ends by default; the rest until erased"},
	{"partners", "organisations: name, sector, e-mail", "the e-mail may be a person's", "e-mail: 3 months after the partnership ends by default"},
	{"activities", "activities: name, description, partners", "none", "as long as the partnership"},
	{"waves", "rounds: form, dates, who answers", "none", "as long as the partnership"},
	{"invitations", "partners' personal links: the token's hash, round, partner", "a link that opens one partner's answers",
		"3 months after the round closes by default"},
	{"users", "staff accounts: e-mail, role, partnerships, password hash (argon2id)", "staff e-mail", "until the account is deleted"},
	{"sessions", "staff sign-ins: the session's hash, account, times", "which account signed in when", "until sign-out; ended sessions (7 days after sign-in at most) are deleted by the retention job"},
	{"setup_links", "one-time links to set a password: hash, account, expiry", "which account was invited", "deleted by the retention job once expired (24 hours)"},
	{"keys", "API keys: hash, role, partnership, created", "none", "until revoked"},
	{"audit", "who changed what and when (account or key, action, target id); never the content", "the staff member's e-mail or key id", "5 years"},
	{"idempotency", "answers to create requests sent with an Idempotency-Key, by a hash of the API key, path and key", "none beyond what the answer holds (a created partnership or partner)",
		"24 hours, deleted by the retention job"},
	{"theories", "each partnership's program theory, version by version: its elements, arrows, assumptions, evaluation questions, measures and targets, with who saved each version and a note",
		"the name or e-mail of the staff member who saved a version", "as long as the partnership"},
	{"outbox", "mail to send and what became of it: kind, address, name, round, partner, status, times, the server's reply; a set-password link sealed until sent (partners' links are never in it)",
		"staff and partner e-mail addresses", "deleted by the retention job 3 months after it was sent or given up"},
	{"forms", "published questionnaire versions", "none", "for good: published versions never change"},
	{"meta", "what the store has been upgraded to", "none", "for good"},
}
