package web

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/forms"
	"samspil/i18n"
	"samspil/indicators"
	"samspil/intake"
	"samspil/internal/mailsink"
	"samspil/mail"
	"samspil/outbox"
	"samspil/partnership"
	"samspil/storage"
)

// console is the console served on a loopback port over the embedded
// store, with a clock tests can move.
type console struct {
	url   string
	store *storage.Store
	skew  *atomic.Int64
	// sink receives the console's mail, and out sends it, when the
	// console was made with newMailConsole.
	sink *mailsink.Sink
	out  *outbox.Service
}

func (c *console) now() time.Time { return time.Now().Add(time.Duration(c.skew.Load())) }

// advance moves the console's clock ahead.
func (c *console) advance(d time.Duration) { c.skew.Add(int64(d)) }

func newConsole(t *testing.T) *console {
	t.Helper()
	return startConsole(t, false)
}

// newMailConsole is a console that sends its mail to a sink on loopback.
func newMailConsole(t *testing.T) *console {
	t.Helper()
	return startConsole(t, true)
}

func startConsole(t *testing.T, withMail bool) *console {
	t.Helper()
	ctx := context.Background()
	cfg := storage.Config{DataDir: t.TempDir()}
	if uri := os.Getenv("SAMSPIL_TEST_MONGO_URI"); uri != "" {
		cfg.URI, cfg.Database = uri, fmt.Sprintf("samspil_web_%d", time.Now().UnixNano())
	}
	store, err := storage.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close(ctx) })
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	c := &console{store: store, skew: &atomic.Int64{}}
	if withMail {
		if c.sink, err = mailsink.Start("127.0.0.1:0", mailsink.Options{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.sink.Close() })
		cfg, err := mail.ParseURL(fmt.Sprintf("smtp+insecure://127.0.0.1:%d", c.sink.Port()), "Samspil <samspil@example.dk>")
		if err != nil {
			t.Fatal(err)
		}
		sealer, _ := access.NewSealer([]byte(strings.Repeat("s", 32)))
		c.out = &outbox.Service{Store: store, Sealer: sealer, Mailer: mail.New(cfg), Messages: msgs, Forms: catalog,
			BaseURL: "https://samspil.example.dk", Now: c.now}
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true, Immutable: true})
	err = Mount(app, Config{Store: store, Forms: catalog, Messages: msgs, Now: c.now, Outbox: c.out,
		Indicators: indicators.New(store, store, indicators.Catalog(catalog), c.now), Intake: intake.New(store, catalogFinder{catalog}, c.now)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { _ = app.Shutdown() })
	c.url = "http://" + ln.Addr().String()
	return c
}

// catalog is the built-in forms.
func (c *console) catalog(t *testing.T) *forms.Catalog {
	t.Helper()
	cat, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// user makes an account with a password, as following its link would.
func (c *console) user(t *testing.T, email string, role access.Role, partnerships ...string) string {
	t.Helper()
	password := "a long enough password for " + email
	u, _, msg := access.NewUser(email, role, partnerships, "test", c.now())
	if msg != "" {
		t.Fatal(msg)
	}
	u.PasswordHash = access.HashPassword(password)
	if _, err := c.store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return password
}

// partnership registers a partnership with partners of every sector.
func (c *console) partnership(t *testing.T, name string, partners int) partnership.Partnership {
	t.Helper()
	ctx := context.Background()
	p := partnership.Partnership{ID: partnership.NewID("pa"), Name: name, CreatedAt: c.now()}
	p.Check()
	if err := c.store.CreatePartnership(ctx, p); err != nil {
		t.Fatal(err)
	}
	for i := range partners {
		pt := partnership.Partner{ID: partnership.NewID("pt"), Partnership: p.ID, Name: fmt.Sprintf("%s partner %02d", name, i),
			Sector: partnership.Sectors[i%len(partnership.Sectors)], Email: fmt.Sprintf("p%d@example.dk", i), Active: true, JoinedAt: c.now()}
		if err := c.store.CreatePartner(ctx, pt); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// browser is one person's browser: it keeps cookies and does not follow
// redirects, so tests see them.
type browser struct {
	t      *testing.T
	c      *console
	client *http.Client
	// last is the body of the last page fetched.
	last string
}

func (c *console) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: c, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches a page and returns its status; the body is in b.last.
func (b *browser) get(path string) int {
	b.t.Helper()
	res, err := b.client.Get(b.c.url + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.read(res)
}

func (b *browser) read(res *http.Response) int {
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	b.last = string(body)
	return res.StatusCode
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([0-9a-f]+)"`)

// csrf is the token of the last page's forms.
func (b *browser) csrf() string {
	m := csrfField.FindStringSubmatch(b.last)
	if m == nil {
		return ""
	}
	return m[1]
}

// post sends a form as the last page would, with its CSRF token unless
// the values carry one, and returns the status and redirect target.
func (b *browser) post(path string, values url.Values) (int, string) {
	b.t.Helper()
	if values == nil {
		values = url.Values{}
	}
	if !values.Has("_csrf") {
		values.Set("_csrf", b.csrf())
	}
	res, err := b.client.PostForm(b.c.url+path, values)
	if err != nil {
		b.t.Fatal(err)
	}
	loc := res.Header.Get("Location")
	return b.read(res), loc
}

// signIn signs in through the sign-in page.
func (b *browser) signIn(email, password string) (int, string) {
	b.t.Helper()
	b.get("/login")
	return b.post("/login", url.Values{"email": {email}, "password": {password}})
}

// has reports whether the last page contains s.
func (b *browser) has(s string) bool { return strings.Contains(b.last, s) }
