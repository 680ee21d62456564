package dev.mapsync.cli;

import dev.mapsync.MapSpec;
import dev.mapsync.cli.doctor.Check;
import dev.mapsync.cli.doctor.Doctor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {
        "Say what this kernel and this process allow: bpf(2), CAP_BPF and CAP_SYS_ADMIN, the unprivileged-bpf sysctl,",
        "bpffs, mmapable arrays, ring buffers and BTF (each made, used and removed again), whether other users can",
        "reach pins, and whether the map folder is writable. Each line is 'ok' or 'missing', with how to fix what is",
        "missing; lines marked (optional) name features only some uses need.",
        "Exits 0 when everything both backends need is there (optional lines may be missing), 6 when something a",
        "backend needs is missing."})
final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object: ok, kernel, uid, checks (name, status, required, detail, fix), shm, bpf.")
    boolean json;

    private static final String FORMAT = "%-8s %-17s %s%n";

    @Override
    public Integer call() {
        Path dir = root.dir != null ? root.dir : MapSpec.defaultDir();
        Doctor.Report report = Doctor.examine(dir);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.of(json(report)));
        } else {
            out.printf("mapsync doctor: what Linux %s allows this process (uid %d)%n", System.getProperty("os.version"),
                    dev.mapsync.internal.sys.LibC.geteuid());
            for (Check c : report.checks()) {
                out.printf(FORMAT, c.status(), c.name(), (c.ok() || c.required() ? "" : "(optional) ") + c.detail());
                if (!c.ok()) out.printf(FORMAT, "", "", "fix: " + c.fix());
            }
            out.printf("%-12s %s: %s%n", "shm backend", report.shm().state(), report.shm().detail());
            out.printf("%-12s %s: %s%n", "bpf backend", report.bpf().state(), report.bpf().detail());
        }
        out.flush();
        return report.ok() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private static Map<String, Object> json(Doctor.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", r.ok());
        m.put("kernel", System.getProperty("os.version"));
        m.put("uid", dev.mapsync.internal.sys.LibC.geteuid());
        List<Map<String, Object>> checks = r.checks().stream().map(c -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", c.name());
            o.put("status", c.status());
            o.put("required", c.required());
            o.put("detail", c.detail());
            o.put("fix", c.fix());
            return o;
        }).toList();
        m.put("checks", checks);
        m.put("shm", r.shm().state());
        m.put("shm_detail", r.shm().detail());
        m.put("bpf", r.bpf().state());
        m.put("bpf_detail", r.bpf().detail());
        return m;
    }
}
