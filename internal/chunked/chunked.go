// Package chunked sends request bodies chunked over a plain connection, for
// tests of servers that refuse a body before it ends.
//
// A server that answers early (413 past its limit) and closes the
// connection resets it; a client that is still writing may then lose the
// answer with its receive buffer, as net/http's client can. Post reads the
// answer while it writes, so the answer is heard.
package chunked

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
)

// Post sends body to the server at addr (host:port) as a chunked POST to
// path with header, and returns the answer, its body read whole.
func Post(addr, path string, header http.Header, body io.Reader) (*http.Response, []byte, error) {
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
