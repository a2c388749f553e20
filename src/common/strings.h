// String helpers over {fmt}. Debian 12's Abseil is built with its own
// absl::string_view rather than std::string_view, so absl::StrCat does not
// accept the std::string_view used everywhere else here; fmt does.
#ifndef GHLOADER_COMMON_STRINGS_H_
#define GHLOADER_COMMON_STRINGS_H_

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

// Lets fmt and spdlog print absl::string_view, e.g. absl::Status::message().
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<std::string_view> {
  auto format(absl::string_view text, fmt::format_context& context) const {
    return fmt::formatter<std::string_view>::format(std::string_view(text.data(), text.size()),
                                                    context);
  }
};

namespace ghloader {

// Concatenates the text form of each argument.
template <typename... Parts>
std::string Concat(const Parts&... parts) {
  std::string out;
  (fmt::format_to(std::back_inserter(out), "{}", parts), ...);
  return out;
}

inline std::string AsciiToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

inline std::string_view TrimAsciiWhitespace(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n\f\v";
  size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  size_t last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

inline std::string_view ToStdView(absl::string_view text) { return {text.data(), text.size()}; }

}  // namespace ghloader

#endif  // GHLOADER_COMMON_STRINGS_H_
