<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
  <context>
    <name>ClockBar</name>
    <message>
      <source>Live</source>
      <translation>实时</translation>
    </message>
    <message>
      <source>Follow the newest data</source>
      <translation>跟随最新数据</translation>
    </message>
    <message>
      <source>Replay</source>
      <translation>回放</translation>
    </message>
    <message>
      <source>Scrub or play the stored period hour by hour</source>
      <translation>拖动或逐小时播放已存数据</translation>
    </message>
    <message>
      <source>Play / pause the replay</source>
      <translation>播放/暂停回放</translation>
    </message>
    <message>
      <source>One hour back</source>
      <translation>后退一小时</translation>
    </message>
    <message>
      <source>One hour forward</source>
      <translation>前进一小时</translation>
    </message>
    <message>
      <source>Worst episode</source>
      <translation>最重污染过程</translation>
    </message>
    <message>
      <source>Jump to the peak hour of the worst episode in the data</source>
      <translation>跳到数据中最重污染过程的峰值小时</translation>
    </message>
    <message>
      <source>1 day/s</source>
      <translation>1天/秒</translation>
    </message>
    <message>
      <source>%1 h/s</source>
      <translation>%1小时/秒</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>in the future</source>
      <translation>在未来</translation>
    </message>
    <message>
      <source>%1 min</source>
      <translation>%1分钟</translation>
    </message>
    <message>
      <source>%1 h</source>
      <translation>%1小时</translation>
    </message>
    <message>
      <source>%1 days</source>
      <translation>%1天</translation>
    </message>
    <message>
      <source>Lantian 蓝天 — air-quality command console</source>
      <translation>蓝天 — 空气质量指挥控制台</translation>
    </message>
    <message>
      <source>Layers</source>
      <translation>图层</translation>
    </message>
    <message>
      <source>City ranking</source>
      <translation>城市排名</translation>
    </message>
    <message>
      <source>Time series</source>
      <translation>时间序列</translation>
    </message>
    <message>
      <source>Clock</source>
      <translation>时钟</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>&amp;File</source>
      <translation>文件(&amp;F)</translation>
    </message>
    <message>
      <source>&amp;Reload data</source>
      <translation>重新载入数据(&amp;R)</translation>
    </message>
    <message>
      <source>Save &amp;screenshot…</source>
      <translation>保存截图(&amp;S)…</translation>
    </message>
    <message>
      <source>&amp;Quit</source>
      <translation>退出(&amp;Q)</translation>
    </message>
    <message>
      <source>&amp;View</source>
      <translation>视图(&amp;V)</translation>
    </message>
    <message>
      <source>Panels</source>
      <translation>面板</translation>
    </message>
    <message>
      <source>Reset map view</source>
      <translation>重置地图视图</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>语言</translation>
    </message>
    <message>
      <source>System language</source>
      <translation>跟随系统</translation>
    </message>
    <message>
      <source>&amp;Clock</source>
      <translation>时钟(&amp;C)</translation>
    </message>
    <message>
      <source>Play / pause</source>
      <translation>播放/暂停</translation>
    </message>
    <message>
      <source>One hour back</source>
      <translation>后退一小时</translation>
    </message>
    <message>
      <source>One hour forward</source>
      <translation>前进一小时</translation>
    </message>
    <message>
      <source>One day back</source>
      <translation>后退一天</translation>
    </message>
    <message>
      <source>One day forward</source>
      <translation>前进一天</translation>
    </message>
    <message>
      <source>Live (newest data)</source>
      <translation>实时（最新数据）</translation>
    </message>
    <message>
      <source>Worst episode</source>
      <translation>最重污染过程</translation>
    </message>
    <message>
      <source>&amp;AQI</source>
      <translation>&amp;AQI</translation>
    </message>
    <message>
      <source>Standard by date (HJ 633-2012, HJ 633-2026 from 2026-03-01)</source>
      <translation>按日期选标准（HJ 633-2012；2026-03-01起 HJ 633-2026）</translation>
    </message>
    <message>
      <source>Always HJ 633-2012</source>
      <translation>始终 HJ 633-2012</translation>
    </message>
    <message>
      <source>Always HJ 633-2026</source>
      <translation>始终 HJ 633-2026</translation>
    </message>
    <message>
      <source>As published by the national platform (1-h PM)</source>
      <translation>按国家平台发布口径（颗粒物1小时值）</translation>
    </message>
    <message>
      <source>As written in the standard (24-h PM)</source>
      <translation>按标准文本（颗粒物24小时滑动均值）</translation>
    </message>
    <message>
      <source>&amp;Help</source>
      <translation>帮助(&amp;H)</translation>
    </message>
    <message>
      <source>&amp;About Lantian</source>
      <translation>关于蓝天(&amp;A)</translation>
    </message>
    <message>
      <source>Loading cancelled</source>
      <translation>已取消载入</translation>
    </message>
    <message>
      <source>Loading data…</source>
      <translation>正在载入数据…</translation>
    </message>
    <message>
      <source>Preparing the built-in demo (first start)…</source>
      <translation>正在准备内置演示数据（首次启动）…</translation>
    </message>
    <message>
      <source>Reading the database…</source>
      <translation>正在读取数据库…</translation>
    </message>
    <message>
      <source>Computing AQI…</source>
      <translation>正在计算AQI…</translation>
    </message>
    <message>
      <source>Finding the worst episode…</source>
      <translation>正在查找最重污染过程…</translation>
    </message>
    <message>
      <source>Reading stations…</source>
      <translation>正在读取站点…</translation>
    </message>
    <message>
      <source>Ready</source>
      <translation>就绪</translation>
    </message>
    <message>
      <source>Data loaded: %1 cities, %2 hours</source>
      <translation>已载入：%1个城市，%2小时</translation>
    </message>
    <message>
      <source>Lantian</source>
      <translation>蓝天</translation>
    </message>
    <message>
      <source>No data loaded</source>
      <translation>未载入数据</translation>
    </message>
    <message>
      <source>Newest data %1 (age %2)</source>
      <translation>最新数据 %1（距今%2）</translation>
    </message>
    <message>
      <source>Database: %1</source>
      <translation>数据库：%1</translation>
    </message>
    <message>
      <source>published</source>
      <translation>发布口径</translation>
    </message>
    <message>
      <source>standard text</source>
      <translation>标准文本</translation>
    </message>
    <message>
      <source>AQI rules: %1 (%2)</source>
      <translation>AQI规则：%1（%2）</translation>
    </message>
    <message>
      <source>Save screenshot</source>
      <translation>保存截图</translation>
    </message>
    <message>
      <source>Could not write %1</source>
      <translation>无法写入 %1</translation>
    </message>
    <message>
      <source>About Lantian</source>
      <translation>关于蓝天</translation>
    </message>
    <message>
      <source>Lantian (蓝天) — decision support and pollution-episode command console for Guangxi.
Demo data: real hourly city data from the national monitoring platform (CNEMC), 2018-12 to 2019-06.</source>
      <translation>蓝天 — 广西大气污染过程决策支持与应急指挥控制台。
演示数据：全国城市空气质量实时发布平台（CNEMC）真实城市小时数据，2018-12 至 2019-06。</translation>
    </message>
    <message>
      <source>Settings not saved: %1</source>
      <translation>设置未保存：%1</translation>
    </message>
  </context>
  <context>
    <name>MapLayers</name>
    <message>
      <source>Primary pollutant</source>
      <translation>首要污染物</translation>
    </message>
    <message>
      <source>no data</source>
      <translation>无数据</translation>
    </message>
    <message>
      <source>Rules</source>
      <translation>规则</translation>
    </message>
    <message>
      <source>City AQI</source>
      <translation>城市AQI</translation>
    </message>
    <message>
      <source>Monitoring station</source>
      <translation>监测站点</translation>
    </message>
    <message>
      <source>No station-level data in this dataset</source>
      <translation>本数据集无站点级数据</translation>
    </message>
  </context>
  <context>
    <name>MapWidget</name>
    <message>
      <source>Loading data…</source>
      <translation>正在载入数据…</translation>
    </message>
  </context>
  <context>
    <name>RankingModel</name>
    <message>
      <source>City</source>
      <translation>城市</translation>
    </message>
    <message>
      <source>Level</source>
      <translation>级别</translation>
    </message>
    <message>
      <source>Primary</source>
      <translation>首要污染物</translation>
    </message>
    <message>
      <source>24 h Δ</source>
      <translation>24小时变化</translation>
    </message>
    <message>
      <source>1-h concentration, mg/m³</source>
      <translation>1小时浓度，mg/m³</translation>
    </message>
    <message>
      <source>1-h concentration, µg/m³</source>
      <translation>1小时浓度，µg/m³</translation>
    </message>
    <message>
      <source>AQI change against the same hour the day before</source>
      <translation>与前一天同一小时相比的AQI变化</translation>
    </message>
  </context>
  <context>
    <name>TimeSeriesPanel</name>
    <message>
      <source>Drag the blue line to move the clock · wheel zooms the time axis</source>
      <translation>拖动蓝线改变时钟 · 滚轮缩放时间轴</translation>
    </message>
    <message>
      <source>Compare cities</source>
      <translation>对比城市</translation>
    </message>
    <message>
      <source>Whole period</source>
      <translation>全时段</translation>
    </message>
    <message>
      <source>Clock ±3.5 d</source>
      <translation>时钟前后3.5天</translation>
    </message>
    <message>
      <source>Zoom to period</source>
      <translation>框选时段</translation>
    </message>
    <message>
      <source>Drag over the period to show; click again to pan with the mouse</source>
      <translation>拖动选择要显示的时段；再次点击恢复鼠标平移</translation>
    </message>
    <message>
      <source>Show %1</source>
      <translation>显示 %1</translation>
    </message>
  </context>
</TS>
