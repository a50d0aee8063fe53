// sum: accepted. Long arithmetic, a buffered reader and one StringBuilder for the output.
import java.io.BufferedReader
import java.io.InputStreamReader
import java.util.StringTokenizer

fun main() {
    val reader = BufferedReader(InputStreamReader(System.`in`), 1 shl 16)
    val t = reader.readLine().trim().toInt()
    val sb = StringBuilder()
    repeat(t) {
        val st = StringTokenizer(reader.readLine())
        val a = st.nextToken().toLong()
        val b = st.nextToken().toLong()
        sb.append(a + b).append('\n')
    }
    print(sb)
}
