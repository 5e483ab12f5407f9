package storage

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// listeningTCP counts the TCP sockets this process listens on, from
// /proc (Linux).
func listeningTCP(t *testing.T) int {
	t.Helper()
	listening := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		file, err := os.Open(f)
		if err != nil {
			t.Skip("needs /proc/net/tcp")
		}
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) > 9 && fields[3] == "0A" { // LISTEN
				listening[fields[9]] = true
			}
		}
		file.Close()
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("needs /proc/self/fd")
	}
	n := 0
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") && listening[strings.Trim(link, "socket:[]")] {
			n++
		}
	}
	return n
}

// The embedded store asks no password, so it listens on no TCP port: only
// on a socket in a folder of the data folder that its owner alone may
// enter. A second process on the same folder is refused.
func TestEmbeddedStoreListensOnlyOnAnOwnerOnlySocket(t *testing.T) {
	if os.Getenv("SAMSPIL_TEST_MONGO_URI") != "" {
		t.Skip("tests the embedded store")
	}
	ctx := context.Background()
	dir := t.TempDir()
	before := listeningTCP(t)
	s, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if after := listeningTCP(t); after != before {
		t.Errorf("listening TCP sockets: %d before the store, %d with it; want none added", before, after)
	}
	sock := filepath.Join(dir, socketDir, "ferretdb.sock")
	if !strings.Contains(s.embedded.URI(), strings.ReplaceAll(filepath.Base(sock), "/", "%2F")) {
		t.Errorf("store URI %q is not the socket %s", s.embedded.URI(), sock)
	}
	folder, err := os.Stat(filepath.Dir(sock))
	if err != nil || folder.Mode().Perm() != 0o700 {
		t.Errorf("socket folder: %v, %v; want owner-only (0700)", folder.Mode(), err)
	}
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket: %v, %v; want a socket the owner alone reads and writes", fi.Mode(), err)
	}
	if _, err := Open(ctx, Config{DataDir: dir}); err == nil || !strings.Contains(err.Error(), "another process") {
		t.Errorf("a second store on the same folder: %v, want refused", err)
	}
}

// A data folder too deep for a socket path still gets an owner-only
// socket, in a folder of its own that goes with the store.
func TestEmbeddedStoreUnderADeepFolder(t *testing.T) {
	if os.Getenv("SAMSPIL_TEST_MONGO_URI") != "" {
		t.Skip("tests the embedded store")
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), strings.Repeat("deep", 25))
	s, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	tmp := s.embedded.tmp
	if fi, err := os.Stat(tmp); tmp == "" || err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket folder %q: %v; want an owner-only folder", tmp, err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); err == nil {
		t.Errorf("socket folder %s outlived the store", tmp)
	}
}
