#include "common/uri.h"

namespace ghloader {

std::string RedactUriPassword(std::string_view uri) {
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return std::string(uri);

  // The authority ends at the path or the options. A password may contain
  // '@' only percent-encoded, so the last '@' before that end closes the
  // user information.
  size_t authority_start = scheme_end + 3;
  size_t authority_end = uri.find_first_of("/?", authority_start);
  std::string_view authority = uri.substr(authority_start, authority_end - authority_start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(uri);

  size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(uri);

  std::string redacted(uri.substr(0, authority_start + colon + 1));
  redacted += "***";
  redacted += uri.substr(authority_start + at);
  return redacted;
}

}  // namespace ghloader
