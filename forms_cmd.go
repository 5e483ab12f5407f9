package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"samspil/forms"
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

// rescore recomputes the stored scores of responses to the named forms (all
// forms when none are named) with the current scoring rules.
func rescore(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	store, catalog, closeStore, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore()
	ids := cfg.args
	if len(ids) == 0 {
		for _, f := range catalog.Forms() {
			ids = append(ids, f.ID)
		}
	}
	for _, id := range ids {
		if _, ok := catalog.Form(id, 0); !ok {
			return fmt.Errorf("unknown form %q", id)
		}
		changed, err := store.Rescore(ctx, id, func(version int, a forms.Answers) (forms.Scores, bool) {
			f, ok := catalog.Form(id, version)
			if !ok {
				return nil, false
			}
			return f.Score(a), true
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d responses rescored\n", id, changed)
	}
	return nil
}

// rebuildIndicators recomputes the running totals from the stored
// responses: after a scoring correction (with forms rescore first) or to
// check that nothing drifted. Stop the service first.
func rebuildIndicators(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	if len(cfg.args) > 0 {
		return fmt.Errorf("unexpected arguments %q", cfg.args)
	}
	store, _, closeStore, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore()
	responses, cells, err := store.RebuildTotals(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rebuilt %d cells from %d responses\n", cells, responses)
	return nil
}
