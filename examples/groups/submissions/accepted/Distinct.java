// groups: accepted (100 points). Reads ints with a byte-level reader, sorts the
// primitive array, counts the value changes.
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;

public class Distinct {
    private static final DataInputStream in = new DataInputStream(System.in);
    private static final byte[] buf = new byte[1 << 16];
    private static int len = 0, pos = 0;

    private static int read() throws IOException {
        if (pos == len) {
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0) { len = 0; return -1; }
        }
        return buf[pos++];
    }

    private static int nextInt() throws IOException {
        int c = read();
        while (c == ' ' || c == '\n' || c == '\r' || c == '\t') c = read();
        boolean neg = c == '-';
        if (neg) c = read();
        int x = 0;
        while (c >= '0' && c <= '9') {
            x = x * 10 + (c - '0');
            c = read();
        }
        return neg ? -x : x;
    }

    public static void main(String[] args) throws IOException {
        int n = nextInt();
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = nextInt();
        Arrays.sort(a);
        int distinct = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) if (a[i] != a[i - 1]) distinct++;
        System.out.println(distinct);
    }
}
