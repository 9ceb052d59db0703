// A tiny HTTP/1.1 client for the serve tests: one request per connection, over a plain
// socket to 127.0.0.1, so the tests see exactly the bytes the server sends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace test {

struct HttpResponse {
  int status = 0;       // 0: no status line (connection refused or closed early)
  std::string headers;  // the header block, lower-cased names as sent
  std::string body;
  // The value of one header (name case-insensitive), empty when absent.
  std::string header(const std::string& name) const;
};

// Sends `request` as it is (the caller writes the request line and headers) and reads until
// the server closes the connection.
HttpResponse http_raw(std::uint16_t port, const std::string& request);

// GET path with Connection: close, optionally with an Accept header.
HttpResponse http_get(std::uint16_t port, const std::string& path, const std::string& accept = {},
                      const std::string& method = "GET");

// Any request with Connection: close: extra header lines ("Name: value", no CRLF), and a
// body (with its Content-Length) when not empty.
HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& path,
                          const std::vector<std::string>& headers, const std::string& body = {});

// A connected socket to 127.0.0.1:port (-1 when refused), for tests that send in pieces.
int http_connect(std::uint16_t port);
void http_send(int fd, const std::string& bytes);
HttpResponse http_read(int fd);  // reads until close, then closes fd

}  // namespace test
