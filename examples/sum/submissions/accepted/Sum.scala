// sum: accepted. Long arithmetic, a buffered reader and one StringBuilder for the output.
import java.io.{BufferedReader, InputStreamReader}
import java.util.StringTokenizer

object Sum {
  def main(args: Array[String]): Unit = {
    val in = new BufferedReader(new InputStreamReader(System.in), 1 << 16)
    val t = in.readLine().trim.toInt
    val sb = new StringBuilder
    for (_ <- 0 until t) {
      val st = new StringTokenizer(in.readLine())
      val a = st.nextToken().toLong
      val b = st.nextToken().toLong
      sb.append(a + b).append('\n')
    }
    print(sb)
  }
}
