// sum: accepted. A small byte-level reader: Scanner is far too slow for 10^5 lines.
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;

public class Sum {
    static final class Reader {
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int len = 0, pos = 0;

        Reader(InputStream in) { this.in = in; }

        private int read() throws IOException {
            if (pos == len) {
                len = in.read(buf, 0, buf.length);
                pos = 0;
                if (len <= 0) { len = 0; return -1; }
            }
            return buf[pos++];
        }

        long nextLong() throws IOException {
            int c = read();
            while (c == ' ' || c == '\n' || c == '\r' || c == '\t') c = read();
            boolean neg = c == '-';
            if (neg) c = read();
            long x = 0;
            while (c >= '0' && c <= '9') {
                x = x * 10 + (c - '0');
                c = read();
            }
            return neg ? -x : x;
        }
    }

    public static void main(String[] args) throws IOException {
        Reader r = new Reader(new DataInputStream(System.in));
        PrintWriter out = new PrintWriter(System.out);
        int t = (int) r.nextLong();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t; i++) {
            long a = r.nextLong(), b = r.nextLong();
            sb.append(a + b).append('\n');
        }
        out.print(sb);
        out.flush();
    }
}
