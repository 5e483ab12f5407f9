package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"samspil/storage"
)

// dataInventory prints what each collection holds, which personal data
// and for how long, for the operator's record of processing.
func dataInventory(stdout io.Writer) error {
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "COLLECTION\tHOLDS\tPERSONAL DATA\tKEPT")
	for _, c := range storage.Inventory {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.Name, c.Holds, c.Personal, c.Kept)
	}
	fmt.Fprintln(w, "\nNot stored anywhere: IP addresses, user agents, names of citizens. The follow-up secret (followup.key) is a file, not a collection.")
	return w.Flush()
}
