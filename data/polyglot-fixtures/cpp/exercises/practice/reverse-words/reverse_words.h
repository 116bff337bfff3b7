#pragma once
#include <string>

namespace reverse_words {
std::string reverse(const std::string& sentence);
}
