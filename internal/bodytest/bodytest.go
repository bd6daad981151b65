// Package bodytest makes and sends huge request bodies, for tests of
// servers that refuse a body before it ends.
package bodytest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// Spaces is a body of N spaces, made as it is read, that counts what was
// read of it: a test can send gigabytes without holding them.
type Spaces struct {
	N    int64
	read atomic.Int64
}

func (s *Spaces) Read(p []byte) (int, error) {
	left := s.N - s.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), left)
	for i := range p[:k] {
		p[i] = ' '
	}
	s.read.Add(k)
	return int(k), nil
}

// Sent is how much of the body has been read.
func (s *Spaces) Sent() int64 { return s.read.Load() }

// Post sends body to u with header and returns the answer, its body read
// whole. With length -1 the body goes chunked, by PostChunked. Otherwise it
// goes with that Content-Length once the server asks for it (Expect:
// 100-continue), so that a server that answers without reading the body
// gets none of it.
func Post(u string, header http.Header, body io.Reader, length int64) (*http.Response, []byte, error) {
	if length < 0 {
		pu, err := url.Parse(u)
		if err != nil {
			return nil, nil, err
		}
		return PostChunked(pu.Host, pu.RequestURI(), header, body)
	}
	req, err := http.NewRequest(http.MethodPost, u, body)
	if err != nil {
		return nil, nil, err
	}
	req.ContentLength = length
	req.Header = header.Clone()
	req.Header.Set("Expect", "100-continue")
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	defer client.CloseIdleConnections()
	res, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	return res, got, err
}

// PostChunked sends body to the server at addr (host:port) as a chunked POST to
// path with header, and returns the answer, its body read whole.
//
// A server that answers early (413 past its limit) and closes the
// connection resets it; a client that is still writing may then lose the
// answer with its receive buffer, as net/http's client can. PostChunked
// reads the answer while it writes, so the answer is heard.
func PostChunked(addr, path string, header http.Header, body io.Reader) (*http.Response, []byte, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	w := bufio.NewWriter(conn)
	fmt.Fprintf(w, "POST %s HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked\r\n", path, addr)
	if err := header.Write(w); err != nil {
		return nil, nil, err
	}
	w.WriteString("\r\n")
	if err := w.Flush(); err != nil {
		return nil, nil, err
	}
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := body.Read(buf)
			if n > 0 {
				if _, werr := fmt.Fprintf(conn, "%x\r\n%s\r\n", n, buf[:n]); werr != nil {
					return // the server has answered and closed
				}
			}
			if err != nil {
				fmt.Fprint(conn, "0\r\n\r\n")
				return
			}
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: http.MethodPost})
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	return res, got, err
}
