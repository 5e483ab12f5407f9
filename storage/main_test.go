package storage

import "log/slog"

var slogDiscard = slog.New(slog.DiscardHandler)
