package dev.mapsync.internal.sys;

/** The {@code enum bpf_cmd} values mapsync uses: the first argument of {@code bpf(2)}. */
public enum BpfCommand {
    MAP_CREATE(0), MAP_LOOKUP_ELEM(1), MAP_UPDATE_ELEM(2), MAP_DELETE_ELEM(3), MAP_GET_NEXT_KEY(4),
    PROG_LOAD(5), OBJ_PIN(6), OBJ_GET(7), PROG_TEST_RUN(10), OBJ_GET_INFO_BY_FD(15), BTF_LOAD(18),
    BTF_GET_FD_BY_ID(19), MAP_FREEZE(22), MAP_LOOKUP_BATCH(24);

    private final int code;

    BpfCommand(int code) {
        this.code = code;
    }

    /** The number the kernel knows the command by. */
    public int code() {
        return code;
    }

    /** The C name, such as {@code BPF_MAP_CREATE}. */
    public String cName() {
        return "BPF_" + name();
    }
}
