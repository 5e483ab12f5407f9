package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"

	"samspil/forms"
	"samspil/storage"
)

// lintForms checks form definition files, or the built-in forms when none
// are named, and prints one line per problem.
func lintForms(files []string, stdout io.Writer) error {
	type definition struct {
		name string
		form *forms.Form
		err  error
	}
	var defs []definition
	if len(files) == 0 {
		catalog, err := forms.Builtin()
		if err != nil {
			return err
		}
		for _, f := range catalog.All() {
			defs = append(defs, definition{name: fmt.Sprintf("%s v%d (built in)", f.ID, f.Version), form: f})
		}
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		f, err := forms.Decode(data)
		defs = append(defs, definition{name: name, form: f, err: err})
	}
	failed := 0
	for _, d := range defs {
		var problems []forms.DefinitionProblem
		var de *forms.DefinitionError
		switch {
		case errors.As(d.err, &de):
			problems = de.Problems
		case d.err != nil:
			return d.err
		default:
			problems = d.form.Lint()
		}
		for _, p := range problems {
			fmt.Fprintf(stdout, "%s: %s\n", d.name, p)
		}
		if len(problems) > 0 {
			failed++
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", d.name)
	}
	if failed > 0 {
		return fmt.Errorf("forms lint: %d of %d definitions have problems", failed, len(defs))
	}
	return nil
}

// rescore recomputes the scores and counts of the responses to the named
// forms (all forms when none are named) with the current scoring rules,
// then the running totals and exports with them. Stop the service first.
func rescore(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	store, catalog, closeStore, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore()
	for _, id := range cfg.args {
		if _, ok := catalog.Form(id, 0); !ok {
			return fmt.Errorf("unknown form %q", id)
		}
	}
	return rebuild(ctx, store, catalog, cfg.args, stdout)
}

// rebuildIndicators recomputes every response's scores and counts from its
// answers, then the running totals and exports: after a scoring
// correction, or to check that nothing drifted. Stop the service first.
func rebuildIndicators(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	if len(cfg.args) > 0 {
		return fmt.Errorf("unexpected arguments %q", cfg.args)
	}
	store, catalog, closeStore, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore()
	return rebuild(ctx, store, catalog, nil, stdout)
}

// rebuild rescores the responses to the given forms, or to every form when
// none are given, and rebuilds the totals.
func rebuild(ctx context.Context, store *storage.Store, catalog *forms.Catalog, only []string, stdout io.Writer) error {
	done, err := store.RebuildTotals(ctx, func(id string, version int, a forms.Answers) (forms.Scores, []forms.Count, bool) {
		f, ok := catalog.Form(id, version)
		if !ok || (len(only) > 0 && !slices.Contains(only, id)) {
			return nil, nil, false
		}
		return f.Score(a), f.Counts(a), true
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rebuilt %d cells from %d responses, %d rescored\n", done.Cells, done.Responses, done.Rescored)
	// Released months keep the figures they were released with: a figure
	// that changed would show by difference the few whose scores changed.
	fmt.Fprintln(stdout, "months released before keep their figures; later months use the corrected rules")
	return nil
}
