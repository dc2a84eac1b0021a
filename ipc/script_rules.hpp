// The pure checks the CGI launcher applies to a script before starting it.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace httpserve {

// `root` + a configured CGI directory ("/cgi-bin"): "/srv/www" + "/cgi-bin" = "/srv/www/cgi-bin".
std::string cgi_folder_path(std::string_view root, std::string_view directory);

// `path` is `folder` itself or lies below it. Both absolute and canonical (realpath'd): this is a
// string comparison on whole path components ("/a/cgi-binx" is not inside "/a/cgi-bin").
bool is_inside_folder(std::string_view path, std::string_view folder);

// Would execve() by uid/gid (no supplementary groups) pass the mode bits? The kernel picks exactly
// one class: owner, else group, else other (an owner without x is refused even if others have it).
bool executable_by(mode_t mode, uid_t owner, gid_t group, uid_t uid, gid_t gid);

}  // namespace httpserve
