// Command samspil-mailsink is an SMTP server for trying Samspil's mail on
// one machine: it accepts every message, prints a line for each and, with
// -dir, keeps each as an .eml file to open in a mail program.
//
//	go run ./cmd/samspil-mailsink -addr 127.0.0.1:2525 -dir /tmp/mail
//	SAMSPIL_SMTP_URL=smtp+insecure://127.0.0.1:2525 SAMSPIL_MAIL_FROM='Samspil <samspil@localhost>' go run .
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"samspil/internal/mailsink"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "samspil-mailsink:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("samspil-mailsink", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:2525", "address to listen on")
	dir := fs.String("dir", "", "folder to keep each message in as an .eml file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir != "" {
		if err := os.MkdirAll(*dir, 0o700); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var n atomic.Int64
	if *dir != "" {
		// Number on from what the folder holds: a restart overwrites nothing.
		old, _ := filepath.Glob(filepath.Join(*dir, "*.eml"))
		n.Store(int64(len(old)))
	}
	sink, err := mailsink.Start(*addr, mailsink.Options{OnMail: func(m mailsink.Mail) {
		i := n.Add(1)
		fmt.Fprintf(stdout, "%s  #%d  to %s  %q\n", time.Now().Format("15:04:05.000"), i, strings.Join(m.To, ", "), m.Subject)
		if *dir != "" {
			name := filepath.Join(*dir, fmt.Sprintf("%05d.eml", i))
			if err := os.WriteFile(name, m.Raw, 0o600); err != nil {
				fmt.Fprintln(os.Stderr, "samspil-mailsink:", err)
			}
		}
	}})
	if err != nil {
		return err
	}
	defer sink.Close()
	fmt.Fprintf(stdout, "listening on %s: SAMSPIL_SMTP_URL=smtp+insecure://%s\n", sink.Addr(), sink.Addr())
	<-ctx.Done()
	fmt.Fprintf(stdout, "%d messages received\n", n.Load())
	return nil
}
