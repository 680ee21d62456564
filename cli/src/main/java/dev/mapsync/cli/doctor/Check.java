package dev.mapsync.cli.doctor;

/**
 * One line of {@code mapsync doctor}: something this kernel and process allow, or not.
 *
 * @param name     what is checked, such as {@code CAP_BPF}
 * @param ok       true when it is there
 * @param required true when a backend cannot work without it (the doctor's exit code follows these); optional
 *                 checks name features only some uses need
 * @param detail   what was found
 * @param fix      how to get what is missing; empty when {@code ok}
 */
public record Check(String name, boolean ok, boolean required, String detail, String fix) {
    static Check ok(String name, boolean required, String detail) {
        return new Check(name, true, required, detail, "");
    }

    static Check missing(String name, boolean required, String detail, String fix) {
        return new Check(name, false, required, detail, fix);
    }

    /** {@code ok} or {@code missing}. */
    public String status() {
        return ok ? "ok" : "missing";
    }
}
