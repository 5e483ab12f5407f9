// Command ferretdb-for-tests serves a FerretDB with SQLite files on a TCP
// address, reached by URI like any MongoDB, so that CI runs the storage
// and API tests through the MongoDB code path (guards in update filters,
// no in-process lock) on machines that have no MongoDB:
//
//	go run ./cmd/ferretdb-for-tests -addr 127.0.0.1:27018 -data /tmp/ferretdb &
//	SAMSPIL_TEST_MONGO_URI=mongodb://127.0.0.1:27018/ go test ./storage ./api
//
// It stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"samspil/storage"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:27018", "TCP address to listen on")
	data := flag.String("data", "", "folder for the SQLite files (required)")
	flag.Parse()
	if *data == "" {
		fmt.Fprintln(os.Stderr, "ferretdb-for-tests: -data is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	e, err := storage.StartEmbedded(ctx, *data, *addr, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-for-tests:", err)
		os.Exit(1)
	}
	fmt.Println(e.URI())
	<-ctx.Done()
	e.Stop()
}
