#include "config/prescan.hpp"

#include <algorithm>

namespace httpserve {

namespace {

std::string trimmed(std::string_view text) {
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return "";
    const size_t last = text.find_last_not_of(" \t\r");
    return std::string(text.substr(first, last - first + 1));
}

// The lexer's state between characters; strings and comments are opaque.
enum class State { Normal, Comment, Basic, Literal, MultiBasic, MultiLiteral };

class Prescan {
public:
    explicit Prescan(std::string_view text) : text_(text) {}

    std::optional<PrescanProblem> run() {
        for (i_ = 0; i_ < text_.size(); ++i_) {
            const char c = text_[i_];
            if (c == '\n') {
                if (end_line())
                    return problem(
                        "too many values on long lines (each value makes toml11 reread its "
                        "line): put the elements of long arrays on lines of their own");
                if (state_ == State::Basic || state_ == State::Literal) state_ = State::Normal;
                if (state_ == State::Comment) state_ = State::Normal;
            }
            switch (state_) {
                case State::Normal:
                    if (!normal(c)) {
                        if (value_work_ > kMaxTomlValueWork) {
                            return problem("more than " + std::to_string(kMaxTomlValueWork) +
                                           " values (a value counts once for each array or table around it)");
                        }
                        return problem("arrays, tables or keys nested more than " + std::to_string(kMaxTomlNesting) +
                                       " deep");
                    }
                    break;
                case State::Comment: break;
                case State::Basic:
                case State::Literal:
                    if ((c == '"' && state_ == State::Basic) || (c == '\'' && state_ == State::Literal)) {
                        state_ = State::Normal;
                    } else if (c == '\\' && state_ == State::Basic && i_ + 1 < text_.size() && text_[i_ + 1] != '\n') {
                        ++i_;
                    }
                    break;
                case State::MultiBasic:
                case State::MultiLiteral: multi_line_string(c); break;
            }
        }
        if (end_line()) return problem("too many values on long lines");
        return std::nullopt;
    }

private:
    size_t run_of(size_t i, char quote) const {
        size_t n = 0;
        while (i + n < text_.size() && text_[i + n] == quote) ++n;
        return n;
    }

    // One character outside strings and comments; false when it goes beyond a bound.
    bool normal(char c) {
        if (depth_ == 0 && statement_start_ == std::string_view::npos && c != ' ' && c != '\t' && c != '\n' &&
            c != '\r') {
            statement_start_ = i_;
        }
        if (c == '\n') {
            if (depth_ == 0) statement_start_ = std::string_view::npos;
            dots_ = 0;
        } else if (c == '#') {
            state_ = State::Comment;
        } else if (c == '"' || c == '\'') {
            const bool multi = run_of(i_, c) >= 3;
            if (multi) i_ += 2;
            state_ =
                c == '"' ? (multi ? State::MultiBasic : State::Basic) : (multi ? State::MultiLiteral : State::Literal);
        } else if (c == '[' || c == '{') {
            if (++depth_ > kMaxTomlNesting) return false;
            dots_ = 0;
            value_work_ += static_cast<size_t>(depth_);  // a table or array, copied once per level around it
        } else if (c == ']' || c == '}') {
            depth_ = std::max(0, depth_ - 1);
            if (depth_ == 0 && statement_start_ != std::string_view::npos && text_[statement_start_] == '[') {
                table_ = trimmed(text_.substr(statement_start_, i_ + 1 - statement_start_));
                table_.erase(0, std::min(table_.find_first_not_of("[ \t"), table_.size()));
                table_.erase(std::min(table_.find_last_not_of("] \t") + 1, table_.size()));
                key_.clear();
            }
        } else if (c == '.') {
            if (++dots_ > kMaxTomlNesting) return false;
            value_work_ += static_cast<size_t>(dots_);  // toml11 walks the key's parts again for each part
        } else if (c == '=' || c == ',') {
            if (c == '=' && depth_ == 0 && statement_start_ != std::string_view::npos) {
                const std::string key = trimmed(text_.substr(statement_start_, i_ - statement_start_));
                key_ = table_.empty() ? key : table_ + "." + key;
            }
            dots_ = 0;
            ++values_on_line_;  // a value follows each '=' and ','
            value_work_ += static_cast<size_t>(depth_) + 1;
        }
        return value_work_ <= kMaxTomlValueWork;
    }

    void multi_line_string(char c) {
        const char quote = state_ == State::MultiBasic ? '"' : '\'';
        if (c == '\\' && state_ == State::MultiBasic && i_ + 1 < text_.size() && text_[i_ + 1] != '\n') {
            ++i_;
        } else if (c == quote) {
            // Up to two quotes may precede the closing three: consume the whole run.
            const size_t n = run_of(i_, quote);
            if (n >= 3) state_ = State::Normal;
            i_ += n - 1;
        }
    }

    // At a newline (or the end): charge the line; true once the budget is spent.
    bool end_line() {
        const size_t length = i_ - line_start_ + 1;
        rescan_ += length * (values_on_line_ + 1);
        line_start_ = i_ + 1;
        values_on_line_ = 0;
        if (rescan_ > kMaxTomlRescan) return true;
        ++line_;
        return false;
    }

    PrescanProblem problem(std::string message) const { return {line_, key_, std::move(message)}; }

    std::string_view text_;
    size_t i_ = 0;
    State state_ = State::Normal;
    int depth_ = 0;
    int dots_ = 0;  // since the last place a key can start; a value has at most one ("1.5")
    int line_ = 1;
    size_t line_start_ = 0;
    size_t values_on_line_ = 0;
    size_t rescan_ = 0;
    size_t value_work_ = 0;
    size_t statement_start_ = std::string_view::npos;  // where the current top-level statement begins
    std::string table_;                                // the last [table] or [[array]] header
    std::string key_;
};

}  // namespace

std::optional<PrescanProblem> prescan_toml(std::string_view text) { return Prescan(text).run(); }

}  // namespace httpserve
