// The parts of RFC 3986 that $ref resolution needs: splitting a URI reference, resolving it
// against a base (section 5.2), and percent-encoding. No network, no normalisation beyond
// dot-segment removal.
#pragma once

#include <string>
#include <string_view>

#include "gavel/text_codec.h"

namespace gavel::schema::detail {

struct UriParts {
  std::string_view scheme, authority, path, query, fragment;
  bool has_scheme = false, has_authority = false, has_query = false, has_fragment = false;
};

// Splits per RFC 3986 appendix B; every string is accepted.
UriParts SplitUri(std::string_view uri);

// `reference` resolved against `base` (RFC 3986 5.2.2). A base without a scheme is accepted and
// treated as if it had one, so that documents loaded without any URI still resolve
// "#/definitions/x" and relative paths predictably.
std::string ResolveUri(std::string_view base, std::string_view reference);

// `uri` without its fragment (and without the '#').
std::string_view WithoutFragment(std::string_view uri);

// The fragment of `uri` (after '#'), empty if none.
std::string_view FragmentOf(std::string_view uri);

// %XX sequences decoded; malformed ones are kept as they are.
using gavel::PercentDecode;

// A filesystem path made safe to embed as a URI path: everything outside RFC 3986's unreserved
// characters, '/' and a few sub-delimiters is percent-encoded.
std::string PercentEncodePath(std::string_view path);

}  // namespace gavel::schema::detail
