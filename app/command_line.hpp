#pragma once
// The command-line contract of DESIGN.md: flags override the config file.

#include <expected>
#include <string>

#include "core/config/config.hpp"

namespace sy::app {

struct CommandLine {
    core::Config config;
    bool exit_now = false;  // --help or --version was answered
    int exit_code = 0;
};

std::expected<CommandLine, std::string> parse_command_line(int argc, char** argv);

}  // namespace sy::app
