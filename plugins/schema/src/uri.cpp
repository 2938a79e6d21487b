#include "uri.h"

namespace gavel::schema::detail {
namespace {

// RFC 3986 5.2.4, on a path that may be empty.
std::string RemoveDotSegments(std::string_view input) {
  std::string output;
  while (!input.empty()) {
    if (input.substr(0, 3) == "../") {
      input.remove_prefix(3);
    } else if (input.substr(0, 2) == "./") {
      input.remove_prefix(2);
    } else if (input.substr(0, 3) == "/./") {
      input.remove_prefix(2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.substr(0, 4) == "/../" || input == "/..") {
      if (input == "/..") {
        input = "/";
      } else {
        input.remove_prefix(3);
      }
      const std::size_t slash = output.rfind('/');
      output.resize(slash == std::string::npos ? 0 : slash);
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      // Move the first segment, with its leading '/', if any, to the output.
      const std::size_t next = input.find('/', input.front() == '/' ? 1 : 0);
      const std::size_t length = next == std::string_view::npos ? input.size() : next;
      output.append(input.substr(0, length));
      input.remove_prefix(length);
    }
  }
  return output;
}

}  // namespace

UriParts SplitUri(std::string_view uri) {
  UriParts parts;
  // scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ':', before any '/', '?', '#'.
  const std::size_t colon = uri.find_first_of(":/?#");
  if (colon != std::string_view::npos && colon > 0 && uri[colon] == ':') {
    bool valid = (uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z');
    for (std::size_t i = 1; i < colon && valid; ++i) {
      const char c = uri[i];
      valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.';
    }
    if (valid) {
      parts.has_scheme = true;
      parts.scheme = uri.substr(0, colon);
      uri.remove_prefix(colon + 1);
    }
  }
  if (const std::size_t hash = uri.find('#'); hash != std::string_view::npos) {
    parts.has_fragment = true;
    parts.fragment = uri.substr(hash + 1);
    uri = uri.substr(0, hash);
  }
  if (const std::size_t question = uri.find('?'); question != std::string_view::npos) {
    parts.has_query = true;
    parts.query = uri.substr(question + 1);
    uri = uri.substr(0, question);
  }
  if (uri.substr(0, 2) == "//") {
    parts.has_authority = true;
    uri.remove_prefix(2);
    const std::size_t slash = uri.find('/');
    parts.authority = uri.substr(0, slash);
    uri = slash == std::string_view::npos ? std::string_view{} : uri.substr(slash);
  }
  parts.path = uri;
  return parts;
}

std::string ResolveUri(std::string_view base, std::string_view reference) {
  const UriParts r = SplitUri(reference);
  const UriParts b = SplitUri(base);
  UriParts t;
  std::string path;
  if (r.has_scheme) {
    t = r;
    path = RemoveDotSegments(r.path);
  } else {
    if (r.has_authority) {
      t.has_authority = true;
      t.authority = r.authority;
      path = RemoveDotSegments(r.path);
      t.has_query = r.has_query;
      t.query = r.query;
    } else {
      if (r.path.empty()) {
        path = std::string(b.path);
        t.has_query = r.has_query || b.has_query;
        t.query = r.has_query ? r.query : b.query;
      } else {
        if (r.path.front() == '/') {
          path = RemoveDotSegments(r.path);
        } else {
          std::string merged;
          if (b.has_authority && b.path.empty()) {
            merged = "/";  // built by append: GCC 12 -O3 gives a false -Wrestrict on "/" + string
            merged.append(r.path);
          } else {
            const std::size_t slash = b.path.rfind('/');
            merged = std::string(slash == std::string_view::npos ? std::string_view{} : b.path.substr(0, slash + 1));
            merged += r.path;
          }
          path = RemoveDotSegments(merged);
        }
        t.has_query = r.has_query;
        t.query = r.query;
      }
      t.has_authority = b.has_authority;
      t.authority = b.authority;
    }
    t.has_scheme = b.has_scheme;
    t.scheme = b.scheme;
  }
  std::string out;
  if (t.has_scheme) {
    out.append(t.scheme);
    out += ':';
  }
  if (t.has_authority) {
    out += "//";
    out.append(t.authority);
  }
  out += path;
  if (t.has_query) {
    out += '?';
    out.append(t.query);
  }
  if (r.has_fragment) {
    out += '#';
    out.append(r.fragment);
  }
  return out;
}

std::string_view WithoutFragment(std::string_view uri) {
  return uri.substr(0, uri.find('#'));
}

std::string_view FragmentOf(std::string_view uri) {
  const std::size_t hash = uri.find('#');
  return hash == std::string_view::npos ? std::string_view{} : uri.substr(hash + 1);
}

std::string PercentEncodePath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == '!' ||
                      c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' ||
                      c == '+' || c == ',' || c == ';' || c == '=' || c == ':' || c == '@';
    if (keep) {
      out += c;
    } else {
      out += '%';
      AppendHexByte(out, byte);
    }
  }
  return out;
}

}  // namespace gavel::schema::detail
