package indicators

import (
	"context"
	"fmt"

	"samspil/forms"
)

// CellReader reads running totals, cell by cell and day by day.
type CellReader interface {
	Cells(ctx context.Context, partnershipID, formID string, days forms.Days) ([]forms.Cell, error)
}

// ResponsesReceived counts the responses a partnership received to the forms
// within days, so its staff see that answers come in. It is a count of
// answers received, never a figure about them: it says nothing about what
// anyone answered, and is not released like the figures are.
func ResponsesReceived(ctx context.Context, cells CellReader, pid string, formIDs []string, days forms.Days) (int, error) {
	n := 0
	for _, id := range formIDs {
		cs, err := cells.Cells(ctx, pid, id, days)
		if err != nil {
			return 0, fmt.Errorf("%w: responses received by %s: %w", ErrUnavailable, pid, err)
		}
		for _, c := range cs {
			n += c.Tally.N
		}
	}
	return n, nil
}
