/** Mounts an ECharts instance on an element, redraws when the option changes, disposes on unmount. */
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import { init, type LineChartOption } from '../charts/echarts';

export function useLineChart(el: Ref<HTMLDivElement | null>, option: Ref<LineChartOption>, height: number): void {
  let chart: ReturnType<typeof init> | null = null;
  onMounted(() => {
    if (!el.value) return;
    chart = init(el.value, null, { renderer: 'svg', width: el.value.clientWidth || 480, height });
    chart.setOption(option.value);
  });
  watch(option, (o) => chart?.setOption(o, true));
  onBeforeUnmount(() => chart?.dispose());
}
