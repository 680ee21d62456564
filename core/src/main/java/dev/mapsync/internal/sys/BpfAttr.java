package dev.mapsync.internal.sys;

/**
 * Offsets of the fields of {@code union bpf_attr}, the second argument of {@code bpf(2)}, one nested class per
 * command family. Each command reads its own struct of the union from offset 0. The union is zero-filled to
 * {@link #SIZE} bytes before each call: the kernel refuses non-zero bytes it does not know.
 */
public final class BpfAttr {
    private BpfAttr() {}

    /** The size passed to every call: {@code sizeof(union bpf_attr)} of the newest UAPI header (6.18). */
    public static final int SIZE = 168;

    /**
     * {@code BPF_MAP_CREATE}.
     * <pre>
     * offset size field
     *      0    4 map_type
     *      4    4 key_size
     *      8    4 value_size
     *     12    4 max_entries
     *     16    4 map_flags
     *     20    4 inner_map_fd
     *     24    4 numa_node
     *     28   16 map_name (NUL-terminated; A-Z a-z 0-9 _ . only)
     *     44    4 map_ifindex
     *     48    4 btf_fd
     *     52    4 btf_key_type_id
     *     56    4 btf_value_type_id
     *     60    4 btf_vmlinux_value_type_id
     *     64    8 map_extra
     * </pre>
     */
    public static final class MapCreate {
        private MapCreate() {}

        public static final long MAP_TYPE = 0, KEY_SIZE = 4, VALUE_SIZE = 8, MAX_ENTRIES = 12, MAP_FLAGS = 16,
                MAP_NAME = 28, BTF_FD = 48, BTF_KEY_TYPE_ID = 52, BTF_VALUE_TYPE_ID = 56;
        /** {@code BPF_OBJ_NAME_LEN}, NUL included. */
        public static final int NAME_LENGTH = 16;
    }

    /**
     * {@code BPF_MAP_LOOKUP_ELEM}, {@code BPF_MAP_UPDATE_ELEM}, {@code BPF_MAP_DELETE_ELEM},
     * {@code BPF_MAP_GET_NEXT_KEY}, {@code BPF_MAP_FREEZE}.
     * <pre>
     * offset size field
     *      0    4 map_fd
     *      8    8 key (pointer)
     *     16    8 value, or next_key for GET_NEXT_KEY (pointer)
     *     24    8 flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK)
     * </pre>
     */
    public static final class Elem {
        private Elem() {}

        public static final long MAP_FD = 0, KEY = 8, VALUE = 16, NEXT_KEY = 16, FLAGS = 24;
    }

    /**
     * {@code BPF_MAP_LOOKUP_BATCH} (and the other batch commands).
     * <pre>
     * offset size field
     *      0    8 in_batch (pointer; NULL to start; for hash maps a u32 bucket position)
     *      8    8 out_batch (pointer: where the kernel leaves the position to continue from)
     *     16    8 keys (pointer to count x key_size bytes)
     *     24    8 values (pointer to count x value_size bytes)
     *     32    4 count (in: room for this many elements; out: how many were copied)
     *     36    4 map_fd
     *     40    8 elem_flags (BPF_F_LOCK)
     *     48    8 flags
     * </pre>
     */
    public static final class Batch {
        private Batch() {}

        public static final long IN_BATCH = 0, OUT_BATCH = 8, KEYS = 16, VALUES = 24, COUNT = 32, MAP_FD = 36,
                ELEM_FLAGS = 40;
    }

    /**
     * {@code BPF_OBJ_PIN} and {@code BPF_OBJ_GET}.
     * <pre>
     * offset size field
     *      0    8 pathname (pointer)
     *      8    4 bpf_fd (PIN)
     *     12    4 file_flags (GET: 0 = read-write, BPF_F_RDONLY, BPF_F_WRONLY)
     *     16    4 path_fd (with BPF_F_PATH_FD, 6.5+)
     * </pre>
     */
    public static final class Obj {
        private Obj() {}

        public static final long PATHNAME = 0, BPF_FD = 8, FILE_FLAGS = 12;
    }

    /**
     * {@code BPF_OBJ_GET_INFO_BY_FD}.
     * <pre>
     * offset size field
     *      0    4 bpf_fd
     *      4    4 info_len (in: the buffer's size; out: the bytes the kernel filled)
     *      8    8 info (pointer to struct bpf_map_info, bpf_btf_info, ...)
     * </pre>
     */
    public static final class Info {
        private Info() {}

        public static final long BPF_FD = 0, INFO_LEN = 4, INFO = 8;
    }

    /**
     * {@code BPF_MAP_GET_FD_BY_ID}, {@code BPF_BTF_GET_FD_BY_ID}.
     * <pre>
     * offset size field
     *      0    4 id
     *      4    4 next_id
     *      8    4 open_flags
     * </pre>
     */
    public static final class GetFdById {
        private GetFdById() {}

        public static final long ID = 0, OPEN_FLAGS = 8;
    }

    /**
     * {@code BPF_BTF_LOAD}.
     * <pre>
     * offset size field
     *      0    8 btf (pointer to the blob)
     *      8    8 btf_log_buf (pointer)
     *     16    4 btf_size
     *     20    4 btf_log_size
     *     24    4 btf_log_level
     * </pre>
     */
    public static final class BtfLoad {
        private BtfLoad() {}

        public static final long BTF = 0, LOG_BUF = 8, BTF_SIZE = 16, LOG_SIZE = 20, LOG_LEVEL = 24;
    }

    /**
     * {@code BPF_PROG_LOAD}.
     * <pre>
     * offset size field
     *      0    4 prog_type
     *      4    4 insn_cnt
     *      8    8 insns (pointer)
     *     16    8 license (pointer to a C string)
     *     24    4 log_level
     *     28    4 log_size
     *     32    8 log_buf (pointer)
     *     40    4 kern_version
     *     44    4 prog_flags
     *     48   16 prog_name
     *     68    4 expected_attach_type
     * </pre>
     */
    public static final class ProgLoad {
        private ProgLoad() {}

        public static final long PROG_TYPE = 0, INSN_CNT = 4, INSNS = 8, LICENSE = 16, LOG_LEVEL = 24,
                LOG_SIZE = 28, LOG_BUF = 32, PROG_FLAGS = 44, PROG_NAME = 48, EXPECTED_ATTACH_TYPE = 68;
    }

    /**
     * {@code BPF_PROG_TEST_RUN}.
     * <pre>
     * offset size field
     *      0    4 prog_fd
     *      4    4 retval (out)
     *      8    4 data_size_in
     *     12    4 data_size_out
     *     16    8 data_in (pointer)
     *     24    8 data_out (pointer)
     *     32    4 repeat
     *     36    4 duration (out: average nanoseconds per run)
     *     40    4 ctx_size_in
     *     44    4 ctx_size_out
     *     48    8 ctx_in
     *     56    8 ctx_out
     *     64    4 flags
     *     68    4 cpu
     * </pre>
     */
    public static final class TestRun {
        private TestRun() {}

        public static final long PROG_FD = 0, RETVAL = 4, DATA_SIZE_IN = 8, DATA_IN = 16, REPEAT = 32, DURATION = 36,
                FLAGS = 64, CPU = 68;
    }
}
