package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("serve", "[--addr 127.0.0.1:8080] [--db URL | --data FILE.gpkg] [--max-body 64MiB]")
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	maxBody := byteSize(web.DefaultMaxBody)
	fs.Var(&maxBody, "max-body", "largest body a write takes (writes need $SHIPTRACK_TOKEN)")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments; got %q", fs.Args())}
	}
	st, err := sf.open(ctx, e, fs)
	if err != nil {
		return err
	}
	defer st.Close()

	routers, err := loadRouters(ctx, e, st)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler: web.New(st, web.Options{Logger: e.log, Token: e.getenv("SHIPTRACK_TOKEN"),
			Ingester: uploads{st, routes.PrepareOptions{Routers: routers}}, MaxBody: int64(maxBody), Routers: routers}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	e.log.Info("serving", "url", "http://"+ln.Addr().String()+"/")
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	e.log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
