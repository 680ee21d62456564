package dev.mapsync.cli.corruption;

/**
 * What one case did, as the runner reports it: a command's exit code and output, or an API call's outcome.
 *
 * @param code    the command's exit code; -1 for an API call
 * @param outcome for an API call, "ok" or the exception's class and message; for a command, its first line of output
 * @param err     what the command printed on stderr
 * @param logged  what the library printed on the process's stderr meanwhile (its log): a command's user sees it too
 */
record Result(int id, int code, long millis, String outcome, String err, String logged) {
    String line() {
        return String.join("\t", Integer.toString(id), Integer.toString(code), Long.toString(millis), escape(outcome),
                escape(err), escape(logged));
    }

    static Result parse(String line) {
        String[] f = line.split("\t", -1);
        return new Result(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]), unescape(f[3]),
                unescape(f[4]), unescape(f[5]));
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            b.append(switch (n) {
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'r' -> '\r';
                default -> n;
            });
        }
        return b.toString();
    }
}
