// How much the error log says. The config names it ([log] level); the launcher's settings carry it.
#pragma once

namespace httpserve {

enum class LogLevel { Debug, Info, Warn, Error };

}  // namespace httpserve
