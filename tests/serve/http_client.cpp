#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace test {

std::string HttpResponse::header(const std::string& name) const {
  std::string lower_headers = headers, lower_name = name + ":";
  for (char& c : lower_headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : lower_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t at = lower_headers.find("\r\n" + lower_name);
  if (at == std::string::npos) return {};
  at += 2 + lower_name.size();
  const std::size_t end = headers.find("\r\n", at);
  std::string value = headers.substr(at, end - at);
  value.erase(0, value.find_first_not_of(' '));
  return value;
}

int http_connect(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // A test must fail, not hang, when the server does not answer.
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void http_send(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

HttpResponse http_read(int fd) {
  std::string all;
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    all.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  HttpResponse r;
  if (all.rfind("HTTP/1.", 0) != 0 || all.size() < 12) return r;
  r.status = std::atoi(all.substr(9, 3).c_str());
  const std::size_t end = all.find("\r\n\r\n");
  r.headers = all.substr(0, end == std::string::npos ? all.size() : end + 2);
  if (end != std::string::npos) r.body = all.substr(end + 4);
  return r;
}

HttpResponse http_raw(std::uint16_t port, const std::string& request) {
  const int fd = http_connect(port);
  if (fd < 0) return {};
  http_send(fd, request);
  return http_read(fd);
}

HttpResponse http_get(std::uint16_t port, const std::string& path, const std::string& accept,
                      const std::string& method) {
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!accept.empty()) request += "Accept: " + accept + "\r\n";
  return http_raw(port, request + "Connection: close\r\n\r\n");
}

HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& path,
                          const std::vector<std::string>& headers, const std::string& body) {
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const std::string& h : headers) request += h + "\r\n";
  if (!body.empty()) request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return http_raw(port, request + "Connection: close\r\n\r\n" + body);
}

}  // namespace test
