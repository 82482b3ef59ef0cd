package netproxy

import (
	"context"
	"io"
	"net/http"
	"strings"
)

// hopHeaders are the hop-by-hop headers of RFC 9110 §7.6.1 (plus the
// historical Proxy-Connection); they are never forwarded.
var hopHeaders = []string{
	"Connection",
	"Proxy-Connection",
	"Keep-Alive",
	"Te",
	"Trailer",
	"Transfer-Encoding",
	"Upgrade",
}

// stripHop removes hop-by-hop headers, the headers named by Connection and,
// if proxy is set, every Proxy-* header.
func stripHop(h http.Header, proxy bool) {
	for _, v := range h.Values("Connection") {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
	if proxy {
		for name := range h {
			if strings.HasPrefix(name, "Proxy-") {
				delete(h, name)
			}
		}
	}
}

// forward serves one plain-HTTP proxy request. It reports whether the
// client connection may carry another request.
func (cc *clientConn) forward(ctx context.Context, req *http.Request) bool {
	s, c := cc.s, cc.c
	u := req.URL
	if !u.IsAbs() || u.Host == "" {
		writeError(c, http.StatusBadRequest,
			"not a proxy request: the request URI must be absolute (http://host/path), or use CONNECT host:port; got "+req.RequestURI, "")
		return false
	}
	var defPort string
	switch strings.ToLower(u.Scheme) {
	case "http":
		defPort = "80"
	case "https":
		defPort = "443"
	default:
		writeError(c, http.StatusBadRequest, "unsupported scheme "+u.Scheme+" (want http, or CONNECT for other protocols)", "")
		return false
	}
	h, p := u.Hostname(), u.Port()
	if p == "" {
		if strings.HasSuffix(u.Host, ":") {
			writeError(c, http.StatusBadRequest, "invalid port in "+u.Host, "")
			return false
		}
		p = defPort
	}
	host, port, tgt, err := target(h, p)
	if err != nil {
		writeError(c, http.StatusBadRequest, u.Host+": "+err.Error(), "")
		return false
	}
	d, ok := cc.decisions[tgt]
	if !ok {
		d = s.decideTarget(ctx, host, port, tgt)
		if cc.decisions == nil {
			cc.decisions = make(map[string]Decision)
		}
		cc.decisions[tgt] = d
	}
	if !d.Allowed {
		writeError(c, http.StatusForbidden, refusal(tgt, d), d.Event)
		return false
	}

	// We read the body ourselves, so answer the client's Expect here.
	if strings.EqualFold(req.Header.Get("Expect"), "100-continue") {
		req.Header.Del("Expect")
		if req.ContentLength != 0 {
			io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
		}
	}

	out := req.Clone(ctx)
	out.RequestURI = ""
	out.Close = false
	out.URL.Scheme = strings.ToLower(u.Scheme)
	out.URL.Host = tgt // dial exactly what was decided
	if out.Host == "" {
		out.Host = u.Host
	}
	stripHop(out.Header, true)
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header["User-Agent"] = []string{""} // don't let Go add its own
	}
	if req.ContentLength == 0 {
		out.Body = nil
	}

	resp, err := s.tr.RoundTrip(out)
	if err != nil {
		msg := "forwarding to " + tgt + ": " + err.Error()
		if ctx.Err() != nil {
			msg = "proxy shutting down"
		}
		writeError(c, http.StatusBadGateway, msg, d.Event)
		return false
	}
	defer resp.Body.Close()
	stripHop(resp.Header, false)
	// Speak HTTP/1.1 to the client whatever the upstream spoke. A body of
	// unknown length that is not chunked can only end with the connection.
	resp.Proto, resp.ProtoMajor, resp.ProtoMinor = "HTTP/1.1", 1, 1
	chunkedBody := len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked"
	resp.Close = req.Close || resp.Close || (resp.ContentLength == -1 && !chunkedBody)
	if err := resp.Write(c); err != nil {
		return false
	}
	return !resp.Close
}
