package outbox

import (
	"context"
	"strconv"
	"time"

	"samspil/partnership"
)

// QueueReminders queues the reminders that have fallen due in open
// partner rounds, to partners who have not answered. Only the latest
// slot due is queued: after an outage, a partner gets one reminder, not
// every one it missed. Entries are keyed by round, partner and slot, so
// running this again, or on several instances, queues each once.
func (s *Service) QueueReminders(ctx context.Context) (int, error) {
	if !s.Enabled() {
		return 0, nil
	}
	pas, err := s.Store.Partnerships(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	queued := 0
	for _, pa := range pas {
		if pa.EndedAt != nil {
			continue
		}
		ws, err := s.Store.Waves(ctx, pa.ID)
		if err != nil {
			return queued, err
		}
		for _, w := range ws {
			slot, due, ok := dueSlot(w, now)
			if !ok {
				continue
			}
			// A slot once queued stays due until the next: it is looked
			// at again hourly, not at every pass, for partners given an
			// address since. A partner invited since was invited after the
			// slot fell due and gets none.
			key := w.ID + ":" + slotName(slot)
			if at, ok := s.reminded.Load(key); ok && now.Sub(at.(time.Time)) < time.Hour {
				continue
			}
			r, err := s.remind(ctx, w, slotName(slot), slot, due)
			if err != nil {
				return queued, err
			}
			s.reminded.Store(key, now)
			queued += r.Queued
		}
	}
	if queued > 0 {
		s.Poke()
	}
	return queued, nil
}

// dueSlot is the reminder of an open partner round that fell due last.
func dueSlot(w partnership.Wave, now time.Time) (slot int, due time.Time, ok bool) {
	if w.Respondents != "partners" || w.Status(now) != partnership.Open {
		return 0, time.Time{}, false
	}
	for _, d := range w.ReminderDays() { // latest first
		t := w.ReminderDue(d)
		if !t.After(now) && t.After(w.OpensAt) && (!ok || t.After(due)) {
			slot, due, ok = d, t, true
		}
	}
	return slot, due, ok
}

func slotName(days int) string { return strconv.Itoa(days) + "d" }
